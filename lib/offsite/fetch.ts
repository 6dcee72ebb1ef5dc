// FROM=offsite: the chosen backups are downloaded from the bucket into a hidden temporary folder
// in the project/env directory (`.offsite-<pid>.partial/`, so each file keeps its stored name),
// each checked against its manifest's sha256, then handed to the caller exactly as local stored
// backups. With GLOBALS=1 the sets' roles files come too, with their manifests, into the same
// folder, so the restore finds them beside the dumps as it would locally. The folder is removed
// on every path: success, failure, and an interrupt (the signal aborts the download, and the
// finally runs before the process exits).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { StoredBackup } from '../backup/manifest.ts';
import type { OffsiteConfig } from '../config/types.ts';
import { PgkeepError, UsageError } from '../errors.ts';
import { createPartial, DIR_MODE, HashingFileSink } from '../files/atomic.ts';
import { writeGlobalsManifest } from '../globals/globals-manifest.ts';
import { globalsFileName } from '../globals/globals-name.ts';
import { formatBytes, formatDuration, type Logger } from '../log.ts';
import { offsiteClient, type OffsiteClient } from './client.ts';
import { objectKey } from './keys.ts';
import { readObject } from './read-object.ts';
import { listRemoteGlobals, type RemoteGlobals } from './remote-globals.ts';
import { listRemote } from './remote-list.ts';

export interface FetchInput {
  cfg: OffsiteConfig | undefined;
  project: string;
  env: string;
  /** The locked project/env directory; it may hold no backups at all. */
  dir: string;
  /** Chooses from the bucket's backups (paths already point into the temporary folder); throws when nothing fits. */
  pick: (stored: StoredBackup[], where: string) => StoredBackup[];
  /** Resolve only (a dry run): nothing is downloaded, the paths point nowhere. */
  listOnly?: boolean;
  /** Download the roles file of each chosen set too (restore --globals). */
  globals?: boolean;
}

interface Wanted {
  key: string;
  path: string;
  size: number;
  sha256: string;
}

export async function withOffsiteCopies<T>(input: FetchInput, log: Logger, signal: AbortSignal | undefined, use: (chosen: StoredBackup[], all: StoredBackup[]) => Promise<T>): Promise<T> {
  if (!input.cfg) throw new UsageError(`FROM=offsite: project "${input.project}" has no offsite: block in the config`, 'add offsite: to its database: block or to defaults: (see "Offsite copies" in README.md)');
  const c = await offsiteClient(input.cfg);
  const tmp = path.join(input.dir, `.offsite-${process.pid}.partial`);
  try {
    const remote = await listRemote(c, input.project, input.env, signal);
    const all: StoredBackup[] = remote.map((r) => ({ path: path.join(tmp, r.manifest.file), manifest: r.manifest }));
    const chosen = input.pick(all, `${c.where} (${objectKey(c.cfg, input.project, input.env, '')})`);
    if (input.listOnly) return await use(chosen, all);
    // Looked up before any download, so a set without its roles stops the restore at once.
    const roles = input.globals ? await rolesOf(c, input, chosen, signal) : [];
    await fs.mkdir(tmp, { mode: DIR_MODE });
    for (const b of chosen) {
      await download(c, { key: objectKey(c.cfg, input.project, input.env, b.manifest.file), path: b.path, size: b.manifest.size, sha256: b.manifest.sha256 }, log, signal);
    }
    for (const g of roles) {
      await download(c, { key: g.key, path: path.join(tmp, g.manifest.file), size: g.manifest.size, sha256: g.manifest.sha256 }, log, signal);
      await writeGlobalsManifest(tmp, g.manifest);
    }
    return await use(chosen, all);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
    c.s3.destroy();
  }
}

/** The roles file in the bucket of each chosen set; a set without one is refused, naming the bucket. */
async function rolesOf(c: OffsiteClient, input: FetchInput, chosen: StoredBackup[], signal?: AbortSignal): Promise<RemoteGlobals[]> {
  const { globals } = await listRemoteGlobals(c, input.project, input.env, signal);
  const out: RemoteGlobals[] = [];
  for (const ts of [...new Set(chosen.map((b) => b.manifest.timestamp))].sort()) {
    const g = globals.find((x) => x.manifest.timestamp === ts);
    if (!g) {
      throw new PgkeepError(
        `GLOBALS=1: ${c.where} holds no roles file ${globalsFileName(ts)} (with its manifest) for set ${ts} in ${objectKey(c.cfg, input.project, input.env, '')}`,
        'upload it from the host that has it (make db-offsite-sync), or restore without it: create the roles by hand, or NO_OWNER=1',
      );
    }
    out.push(g);
  }
  return out;
}

async function download(c: OffsiteClient, w: Wanted, log: Logger, signal?: AbortSignal): Promise<void> {
  const { key } = w;
  const started = Date.now();
  log.step(`Downloading s3://${c.cfg.bucket}/${key} from ${c.where}`);
  const sink = new HashingFileSink(await createPartial(w.path), w.path);
  const got = await readObject(c, key, sink, signal);
  if (got.size !== w.size || got.sha256 !== w.sha256) {
    throw new PgkeepError(
      `the offsite copy s3://${c.cfg.bucket}/${key} does not match its manifest: ${got.size} bytes, sha256 ${got.sha256.slice(0, 12)}…; the manifest says ${w.size} bytes, ${w.sha256.slice(0, 12)}…`,
      'restore an older set (list them with: make db-list-backups OFFSITE=1), or the local copy if there is one',
    );
  }
  log.info(`  ${formatBytes(got.size)} in ${formatDuration(Date.now() - started)}, sha256 matches the manifest`);
}
