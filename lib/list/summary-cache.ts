// What list-backups reads instead of every manifest: a per-directory cache of manifest summaries
// (everything but the table list), each entry checked against its manifest's inode, size and
// mtime, so a rewritten or replaced manifest is always read again. The manifests stay the only
// source of truth; the cache can be deleted at any time. With 10,000 backups it turns 10,000
// reads and parses into 10,000 stats and one parse (BENCHMARKS.md).
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isOurs, type Manifest } from '../backup/manifest.ts';
import { parseBackupFileName } from '../names.ts';

export const LIST_CACHE = '.pgkeep-list-cache.json';

export type ManifestSummary = Omit<Manifest, 'tables'> & { table_count: number };

export interface Summary {
  path: string;
  manifest: ManifestSummary;
}

interface Entry {
  ino: number;
  size: number;
  mtimeMs: number;
  manifest: ManifestSummary;
}

/** Summaries of the backups in `dir` that pgkeep made for this project/env, oldest first. */
export function readSummaries(dir: string, names: string[], project: string, env: string): Summary[] {
  const cache = loadCache(dir);
  const next: Record<string, Entry> = {};
  let changed = false;
  const present = new Set(names);
  const out: Summary[] = [];
  for (const name of names) {
    const database = present.has(`${name}.json`) ? parseBackupFileName(name)?.database : undefined;
    if (database === undefined) continue;
    const entry = fresh(cache[name], `${dir}/${name}.json`);
    if (!entry) continue;
    if (entry !== cache[name]) changed = true;
    next[name] = entry;
    const m = entry.manifest;
    if (isOurs(m, name, database, project, env)) out.push({ path: `${dir}/${name}`, manifest: m });
  }
  if (changed || Object.keys(cache).length !== Object.keys(next).length) saveCache(dir, next);
  return out.sort((a, b) => (a.manifest.timestamp < b.manifest.timestamp ? -1 : a.manifest.timestamp > b.manifest.timestamp ? 1 : 0));
}

function fresh(cached: Entry | undefined, file: string): Entry | undefined {
  try {
    const st = statSync(file);
    if (cached && cached.ino === st.ino && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached;
    const { tables, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (typeof rest.sha256 !== 'string' || typeof rest.file !== 'string') return undefined;
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, manifest: { ...rest, table_count: Array.isArray(tables) ? tables.length : 0 } };
  } catch {
    return undefined; // unreadable or not a manifest: list-backups flags the file
  }
}

function loadCache(dir: string): Record<string, Entry> {
  try {
    return JSON.parse(readFileSync(`${dir}/${LIST_CACHE}`, 'utf8')) as Record<string, Entry>;
  } catch {
    return {};
  }
}

/** Best effort: a read-only backup directory only means the next listing reads manifests again. */
function saveCache(dir: string, entries: Record<string, Entry>): void {
  const tmp = `${dir}/${LIST_CACHE}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(entries), { mode: 0o600 });
    renameSync(tmp, `${dir}/${LIST_CACHE}`);
  } catch {
    // ignore
  }
}
