// Uploads every local backup of one project/env that has no offsite copy yet: the new files of a
// run and whatever an earlier run could not upload, dumps first, then the sets' roles files.
// Called under the project/env lock (backup, scheduled run, offsite-sync), so the files it reads
// cannot be pruned under it.
import { listStoredBackups } from '../backup/manifest.ts';
import { GLOBALS_LABEL } from '../globals/backup-globals.ts';
import { listStoredGlobals } from '../globals/globals-manifest.ts';
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

/** One stored file with its manifest: a dump, or a set's roles file (database GLOBALS_LABEL). */
interface Pending {
  path: string;
  database: string;
  size: number;
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
  const dumps = (await listStoredBackups(t.dir, t.project, t.env))
    .filter((b) => !b.manifest.offsite && (!t.databases || t.databases.includes(b.manifest.database)))
    .map((b): Pending => ({ path: b.path, database: b.manifest.database, size: b.manifest.size }));
  // A roles file belongs to its whole set, whatever databases this run selected.
  const roles = (await listStoredGlobals(t.dir, t.project, t.env))
    .filter((g) => !g.manifest.offsite)
    .map((g): Pending => ({ path: g.path, database: GLOBALS_LABEL, size: g.manifest.size }));
  // newest first: the copy that matters most goes up first
  const pending = [...dumps.reverse(), ...roles.reverse()];
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

async function uploadOne(c: OffsiteClient, t: SyncTarget, b: Pending, log: Logger, signal?: AbortSignal): Promise<OffsiteUpload> {
  const started = Date.now();
  log.step(`Uploading ${b.path} to ${c.where}`);
  try {
    const record = await uploadStored(c, { file: b.path, manifestFile: manifestName(b.path), project: t.project, env: t.env }, signal);
    log.ok(`  offsite: ${formatBytes(b.size)} in ${formatDuration(Date.now() - started)}, checked by ${record.checked_by}: ${record.url}`);
    return { project: t.project, env: t.env, database: b.database, path: b.path, url: record.url };
  } catch (err) {
    if (signal?.aborted) throw err;
    return failed(t, b, err as Error, log, c);
  }
}

async function failed(t: SyncTarget, b: Pending, error: Error, log: Logger, c?: OffsiteClient): Promise<OffsiteUpload> {
  const message = c ? scrub(c, error.message) : error.message;
  log.error(`offsite upload of ${b.path} failed: ${message}`);
  const hint = (error as { hint?: string }).hint;
  if (hint) log.info(`  ${hint}`);
  log.info('  the local backup is kept and good; the next run uploads it again (or now: make db-offsite-sync)');
  await recordUploadFailure(manifestName(b.path), new Error(message)).catch((e: Error) => log.warn(`could not record the failure in ${manifestName(b.path)}: ${e.message}`));
  return { project: t.project, env: t.env, database: b.database, path: b.path, error: new Error(message) };
}
