// The offsite-sync command as a library call: for each selected project/env with offsite:, under
// its lock, upload every local backup that has no offsite copy yet.
import { loadConfig } from '../config/load.ts';
import { selectTargets, type Selection } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { ExitCode, PgkeepError, UsageError } from '../errors.ts';
import { withTargetLock } from '../files/target-lock.ts';
import { silentLogger, type Logger } from '../log.ts';
import { plural } from '../plural.ts';
import { syncPending, type OffsiteUpload } from './sync.ts';

export interface OffsiteSyncOptions extends Selection {
  config?: string | Config;
  lockWait?: number;
  log?: Logger;
  signal?: AbortSignal;
}

/** Some uploads failed: exit 3 when others went up, 1 when none did. */
export class OffsiteSyncFailed extends PgkeepError {
  constructor(readonly uploads: OffsiteUpload[]) {
    const failed = uploads.filter((u) => u.error).length;
    super(`${failed} of ${plural(uploads.length, 'offsite upload')} failed; the local backups are kept`);
  }
  override get exitCode(): number {
    return this.uploads.some((u) => !u.error) ? ExitCode.partial : ExitCode.failure;
  }
}

export async function offsiteSync(opts: OffsiteSyncOptions = {}): Promise<OffsiteUpload[]> {
  const log = opts.log ?? silentLogger();
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const targets = selectTargets(config, opts, { includeDisabled: true }).filter((t) => t.project.offsite);
  if (targets.length === 0) throw new UsageError('no selected project has an offsite: block, so there is nothing to upload', 'add offsite: to a project\'s database: block or to defaults: (README.md, "Offsite copies")');
  const uploads: OffsiteUpload[] = [];
  for (const t of targets) {
    await withTargetLock(t, { waitSeconds: opts.lockWait, log, signal: opts.signal }, async ({ dir }) => {
      uploads.push(...(await syncPending({ cfg: t.project.offsite!, dir, project: t.project.name, env: t.env, databases: t.databases }, log, opts.signal)));
    });
  }
  if (uploads.length === 0) log.info('every local backup already has its offsite copy');
  if (uploads.some((u) => u.error)) throw new OffsiteSyncFailed(uploads);
  return uploads;
}
