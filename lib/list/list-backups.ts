// The list-backups command as a library call: one group per project/env, one entry per backup
// file. BackupEntry is a public interface (--json): keep its fields stable.
import path from 'node:path';
import { latestOf } from '../backup/latest.ts';
import { readBackupDir, type Manifest } from '../backup/manifest.ts';
import { loadConfig } from '../config/load.ts';
import { selectTargets, type Selection } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { targetDir } from '../files/target-dir.ts';
import { integrityProblem } from '../archive/integrity.ts';
import { scanDir, type Problem } from './scan.ts';
import { readSummaries } from './summary-cache.ts';
import { listGlobals, type GlobalsEntry } from '../globals/list-globals.ts';

export interface BackupEntry {
  project: string;
  env: string;
  database: string;
  timestamp: string;
  path: string;
  size: number;
  sha256: string;
  format: string;
  reason: string;
  label: string | null;
  /** ISO 8601, UTC: when the backup finished. */
  created: string;
  latest: boolean;
  verified: { at: string; ok: boolean } | null;
  /** With --check: what is wrong with this file's bytes (size or checksum), else null. Added in 0.x, additive. */
  problem: { kind: 'size-mismatch' | 'checksum-mismatch'; detail: string } | null;
  /** The offsite copy, when the project has offsite: (else null). Added with offsite copies, additive. */
  offsite: OffsiteStatus | null;
}

export interface OffsiteStatus {
  /** uploaded: copied and checked; failed: the last upload failed (error says why); pending: not tried yet. */
  status: 'uploaded' | 'pending' | 'failed';
  url: string | null;
  at: string | null;
  error: string | null;
}

export interface ListGroup {
  project: string;
  env: string;
  dir: string;
  databases: string[];
  entries: BackupEntry[];
  problems: Problem[];
  /** The roles files of the sets (globals_<ts>.sql); not in --json's array, which stays one object per backup file. */
  globals: GlobalsEntry[];
  /** The project has offsite: configured (the table gets an offsite column). */
  offsite?: boolean;
}

export interface ListOptions extends Selection {
  config?: string | Config;
  /** Hash every file against its manifest (slow). */
  check?: boolean;
}

export async function listBackups(opts: ListOptions = {}): Promise<ListGroup[]> {
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const groups: ListGroup[] = [];
  for (const t of selectTargets(config, opts, { includeDisabled: true })) {
    const dir = targetDir(t.project, t.env);
    const names = await readBackupDir(dir);
    const ours = readSummaries(dir, names, t.project.name, t.env);
    const scan = await scanDir(dir, names, new Set(ours.map((b) => path.basename(b.path))));
    const backups = ours.filter((b) => t.databases.includes(b.manifest.database));
    const latest = new Set(t.databases.map((db) => latestOf(backups, db)?.path));
    const entries = backups.map((b): BackupEntry => ({
      project: t.project.name,
      env: t.env,
      database: b.manifest.database,
      timestamp: b.manifest.timestamp,
      path: b.path,
      size: b.manifest.size,
      sha256: b.manifest.sha256,
      format: b.manifest.format,
      reason: b.manifest.reason,
      label: b.manifest.label ?? null,
      created: b.manifest.finished_at,
      latest: latest.has(b.path),
      verified: b.manifest.verified ? { at: b.manifest.verified.at, ok: b.manifest.verified.ok } : null,
      problem: null,
      offsite: t.project.offsite ? offsiteStatus(b.manifest) : null,
    }));
    const problems = [...scan.problems];
    if (opts.check) {
      for (const e of entries) {
        const p = await integrityProblem({ path: e.path, manifest: e });
        if (!p) continue;
        e.problem = { kind: /bytes/.test(p) ? 'size-mismatch' : 'checksum-mismatch', detail: p };
        problems.push({ ...e.problem, path: e.path });
      }
    }
    const globals = await listGlobals(dir, t.project.name, t.env, opts.check === true);
    for (const g of globals) if (g.problem) problems.push({ ...g.problem, path: g.path });
    groups.push({ project: t.project.name, env: t.env, dir, databases: t.databases, entries, problems, globals, offsite: !!t.project.offsite });
  }
  return groups;
}

/** Files whose bytes differ from their manifest: what --check exists to find, and why it exits 1. */
export const mismatches = (groups: ListGroup[]): Array<BackupEntry | GlobalsEntry> =>
  groups.flatMap((g) => [...g.entries.filter((e) => e.problem), ...g.globals.filter((e) => e.problem)]);

function offsiteStatus(m: Pick<Manifest, 'offsite' | 'offsite_error'>): OffsiteStatus {
  if (m.offsite) return { status: 'uploaded', url: m.offsite.url, at: m.offsite.at, error: null };
  if (m.offsite_error) return { status: 'failed', url: null, at: m.offsite_error.at, error: m.offsite_error.error };
  return { status: 'pending', url: null, at: null, error: null };
}
