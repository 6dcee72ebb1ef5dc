// Uploads every local backup of one project/env that has no offsite copy yet: the new files of a
// run and whatever an earlier run could not upload. Called under the project/env lock (backup,
// scheduled run, offsite-sync), so the files it reads cannot be pruned under it.
import type { StoredBackup } from '../backup/manifest.ts';
import { listStoredBackups } from '../backup/manifest.ts';
import type { OffsiteConfig } from '../config/types.ts';
import { formatBytes, formatDuration, type Logger } from '../log.ts';
import { manifestName } from '../names.ts';
import { offsiteClient, type OffsiteClient } from './client.ts';
import { scrub } from './s3-error.ts';
import { recordUploadFailure, uploadStored } from './upload.ts';

export interface OffsiteUpload {
  project: string;
  env: string;
  database: string;
  path: string;
  url?: string;
  error?: Error;
}

export interface SyncTarget {
  cfg: OffsiteConfig;
  dir: string;
  project: string;
  env: string;
  /** Only these databases (the target's); absent: all found. */
  databases?: string[];
}

/** Never throws for one file: each failure is returned (and recorded in its manifest) so the run carries on. */
export async function syncPending(t: SyncTarget, log: Logger, signal?: AbortSignal): Promise<OffsiteUpload[]> {
  const pending = (await listStoredBackups(t.dir, t.project, t.env))
    .filter((b) => !b.manifest.offsite && (!t.databases || t.databases.includes(b.manifest.database)))
    .reverse(); // newest first: the copy that matters most goes up first
  if (pending.length === 0) return [];
  let client: OffsiteClient;
  try {
    client = await offsiteClient(t.cfg);
  } catch (err) {
    return Promise.all(pending.map((b) => failed(t, b, err as Error, log)));
  }
  const out: OffsiteUpload[] = [];
  try {
    for (const b of pending) {
      if (signal?.aborted) break;
      out.push(await uploadOne(client, t, b, log, signal));
    }
  } finally {
    client.s3.destroy();
  }
  return out;
}

async function uploadOne(c: OffsiteClient, t: SyncTarget, b: StoredBackup, log: Logger, signal?: AbortSignal): Promise<OffsiteUpload> {
  const started = Date.now();
  log.step(`Uploading ${b.path} to ${c.where}`);
  try {
    const record = await uploadStored(c, { file: b.path, manifestFile: manifestName(b.path), project: t.project, env: t.env }, signal);
    log.ok(`  offsite: ${formatBytes(b.manifest.size)} in ${formatDuration(Date.now() - started)}, checked by ${record.checked_by}: ${record.url}`);
    return { project: t.project, env: t.env, database: b.manifest.database, path: b.path, url: record.url };
  } catch (err) {
    if (signal?.aborted) throw err;
    return failed(t, b, err as Error, log, c);
  }
}

async function failed(t: SyncTarget, b: StoredBackup, error: Error, log: Logger, c?: OffsiteClient): Promise<OffsiteUpload> {
  const message = c ? scrub(c, error.message) : error.message;
  log.error(`offsite upload of ${b.path} failed: ${message}`);
  const hint = (error as { hint?: string }).hint;
  if (hint) log.info(`  ${hint}`);
  log.info('  the local backup is kept and good; the next run uploads it again (or now: make db-offsite-sync)');
  await recordUploadFailure(manifestName(b.path), new Error(message)).catch((e: Error) => log.warn(`could not record the failure in ${manifestName(b.path)}: ${e.message}`));
  return { project: t.project, env: t.env, database: b.manifest.database, path: b.path, error: new Error(message) };
}
