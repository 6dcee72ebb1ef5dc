// A backup is restored only when its bytes are the ones its manifest recorded. A corrupt or
// truncated file is refused, and the message names the newest older backup that is intact.
import type { StoredBackup } from '../backup/manifest.ts';
import { PgkeepError } from '../errors.ts';
import { sha256File } from '../files/checksum.ts';

export async function checkIntegrity(b: StoredBackup, olderCandidates: StoredBackup[]): Promise<void> {
  const problem = await integrityProblem(b);
  if (!problem) return;
  const fallback = await newestIntact(olderCandidates.filter((o) => o.manifest.timestamp < b.manifest.timestamp));
  const hint = fallback
    ? `the newest older intact backup of ${b.manifest.database} is ${fallback.manifest.timestamp}: make db-restore BACKUP=${fallback.manifest.timestamp} DB=${b.manifest.database}`
    : `no older intact backup of ${b.manifest.database} was found`;
  throw new PgkeepError(`refusing to restore ${b.path}: ${problem}`, hint);
}

export async function integrityProblem(b: { path: string; manifest: Pick<StoredBackup['manifest'], 'size' | 'sha256'> }): Promise<string | undefined> {
  const actual = await sha256File(b.path).catch((err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }));
  if ('error' in actual) return `the file cannot be read (${actual.error})`;
  if (actual.size !== b.manifest.size) {
    return `it is ${actual.size} bytes, the manifest says ${b.manifest.size}: the file is truncated or corrupt`;
  }
  if (actual.sha256 !== b.manifest.sha256) return 'its sha256 does not match the manifest: the file is corrupt';
  return undefined;
}

async function newestIntact(candidates: StoredBackup[]): Promise<StoredBackup | undefined> {
  const newestFirst = [...candidates].sort((a, b) => b.manifest.timestamp.localeCompare(a.manifest.timestamp));
  for (const c of newestFirst) if (!(await integrityProblem(c))) return c;
  return undefined;
}
