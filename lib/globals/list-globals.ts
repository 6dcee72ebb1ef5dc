// The roles files of one project/env directory as list-backups shows them: one per set, checked
// against its manifest with --check like the dumps.
import { integrityProblem } from '../archive/integrity.ts';
import { listStoredGlobals } from './globals-manifest.ts';

export interface GlobalsEntry {
  timestamp: string;
  path: string;
  size: number;
  sha256: string;
  with_passwords: boolean;
  created: string;
  /** With --check: what is wrong with the file's bytes, else null. */
  problem: { kind: 'size-mismatch' | 'checksum-mismatch'; detail: string } | null;
}

export async function listGlobals(dir: string, project: string, env: string, check: boolean): Promise<GlobalsEntry[]> {
  const out: GlobalsEntry[] = [];
  for (const g of await listStoredGlobals(dir, project, env)) {
    const m = g.manifest;
    const e: GlobalsEntry = { timestamp: m.timestamp, path: g.path, size: m.size, sha256: m.sha256, with_passwords: m.with_passwords, created: m.created, problem: null };
    const p = check ? await integrityProblem(g) : undefined;
    if (p) e.problem = { kind: /bytes/.test(p) ? 'size-mismatch' : 'checksum-mismatch', detail: `roles file: ${p}` };
    out.push(e);
  }
  return out;
}
