// list-backups --offsite: what the bucket holds for each selected project/env, read from the
// manifest copies there, with whether the local file is still on this host. Copies whose local
// file is gone (pruned locally, or the host was lost) are listed like any other.
import fs from 'node:fs/promises';
import path from 'node:path';
import { format } from 'date-fns/format';
import type { ChalkInstance } from 'chalk';
import { loadConfig } from '../config/load.ts';
import { selectTargets, type Selection } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { UsageError } from '../errors.ts';
import { targetDir } from '../files/target-dir.ts';
import { formatBytes } from '../log.ts';
import { offsiteClient } from '../offsite/client.ts';
import { listRemote } from '../offsite/remote-list.ts';
import { boxTable } from './box-table.ts';

export interface OffsiteEntry {
  project: string;
  env: string;
  database: string;
  timestamp: string;
  url: string;
  size: number;
  sha256: string;
  reason: string;
  label: string | null;
  created: string;
  /** The local file with the same sha256 is still in backup_dir. */
  local: boolean;
}

export async function listOffsite(opts: Selection & { config?: string | Config } = {}): Promise<OffsiteEntry[]> {
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const targets = selectTargets(config, opts, { includeDisabled: true }).filter((t) => t.project.offsite);
  if (targets.length === 0) throw new UsageError('no selected project has an offsite: block, so there is no bucket to list');
  const out: OffsiteEntry[] = [];
  for (const t of targets) {
    const c = await offsiteClient(t.project.offsite!);
    try {
      for (const b of await listRemote(c, t.project.name, t.env)) {
        if (!t.databases.includes(b.manifest.database)) continue;
        const m = b.manifest;
        out.push({
          project: t.project.name, env: t.env, database: m.database, timestamp: m.timestamp, url: b.url, size: b.size, sha256: m.sha256,
          reason: m.reason, label: m.label ?? null, created: m.finished_at, local: await hasLocal(path.join(targetDir(t.project, t.env), m.file), m.sha256),
        });
      }
    } finally {
      c.s3.destroy();
    }
  }
  return out;
}

async function hasLocal(file: string, sha256: string): Promise<boolean> {
  const m = await fs.readFile(`${file}.json`, 'utf8').then((s) => JSON.parse(s) as { sha256?: string }, () => undefined);
  return m?.sha256 === sha256 && (await fs.access(file).then(() => true, () => false));
}

export function renderOffsite(entries: OffsiteEntry[], c: ChalkInstance): string {
  if (entries.length === 0) return 'the bucket holds no offsite copies for the selection';
  const rows = [...entries]
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1))
    .map((e) => [`${e.project}/${e.env}`, e.timestamp, e.created ? format(new Date(e.created), 'yyyy-MM-dd HH:mm') : '', e.database, formatBytes(e.size), e.reason, e.local ? 'here' : c.yellow('gone'), e.url]);
  return boxTable(['project/env', 'timestamp', 'created', 'database', 'size', 'reason', 'local copy', 'offsite copy'], rows) + '\n  restore one: make db-restore BACKUP=<timestamp> FROM=offsite';
}
