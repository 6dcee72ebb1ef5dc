// The offsite step of a backup run: under the run's locks, after the local backups, every
// project/env with offsite: configured uploads what it has pending (this run's files first among
// them). A failed upload never fails the local backup: the run is partial and says so.
import type { LockedTarget } from '../files/target-lock.ts';
import type { Logger } from '../log.ts';
import { syncPending, type OffsiteUpload } from './sync.ts';

export async function uploadAfterRun(locked: LockedTarget[], log: Logger, signal?: AbortSignal): Promise<OffsiteUpload[]> {
  const out: OffsiteUpload[] = [];
  for (const { target, lock } of locked) {
    const cfg = target.project.offsite;
    if (!cfg || signal?.aborted) continue;
    out.push(...(await syncPending({ cfg, dir: lock.dir, project: target.project.name, env: target.env, databases: target.databases }, log, signal)));
  }
  return out;
}

export const offsiteFailures = (uploads: OffsiteUpload[] | undefined): OffsiteUpload[] => (uploads ?? []).filter((u) => u.error);
