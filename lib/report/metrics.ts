// Prometheus node_exporter textfile, rewritten atomically after each run. Derived from the
// manifests on disk, so it is right for every configured database, not only this run's.
import fs from 'node:fs/promises';
import path from 'node:path';
import { latestOf } from '../backup/latest.ts';
import { listStoredBackups } from '../backup/manifest.ts';
import type { Config } from '../config/types.ts';
import { writeFileAtomic } from '../files/atomic.ts';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

const METRICS: Array<[string, string]> = [
  ['pgkeep_last_success_timestamp_seconds', 'When the newest good backup finished (Unix time).'],
  ['pgkeep_last_duration_seconds', 'How long the newest good backup took.'],
  ['pgkeep_last_size_bytes', 'Size of the newest good backup file.'],
  ['pgkeep_last_verify_success', '1 if the newest verification passed, 0 if it failed.'],
  ['pgkeep_last_verify_timestamp_seconds', 'When the newest verification ran (Unix time).'],
];

export async function writeMetrics(config: Config): Promise<void> {
  if (!config.metrics) return;
  const samples = new Map<string, Sample[]>(METRICS.map(([name]) => [name, []]));
  for (const p of config.projects) {
    for (const [env, dbs] of Object.entries(p.databases)) {
      const stored = await listStoredBackups(path.join(p.backupDir, p.name, env), p.name, env);
      for (const database of dbs) {
        const labels = { project: p.name, env, database };
        const last = latestOf(stored, database)?.manifest;
        if (last) {
          samples.get('pgkeep_last_success_timestamp_seconds')!.push({ labels, value: Date.parse(last.finished_at) / 1000 });
          samples.get('pgkeep_last_duration_seconds')!.push({ labels, value: last.duration_ms / 1000 });
          samples.get('pgkeep_last_size_bytes')!.push({ labels, value: last.size });
        }
        const verified = stored.filter((b) => b.manifest.database === database && b.manifest.verified).map((b) => b.manifest.verified!).sort((a, b) => a.at.localeCompare(b.at)).at(-1);
        if (verified) {
          samples.get('pgkeep_last_verify_success')!.push({ labels, value: verified.ok ? 1 : 0 });
          samples.get('pgkeep_last_verify_timestamp_seconds')!.push({ labels, value: Date.parse(verified.at) / 1000 });
        }
      }
    }
  }
  await fs.mkdir(path.dirname(config.metrics.textfile), { recursive: true });
  await writeFileAtomic(config.metrics.textfile, renderMetrics(samples), 0o644);
}

export function renderMetrics(samples: Map<string, Sample[]>): string {
  const out: string[] = [];
  for (const [name, help] of METRICS) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const s of samples.get(name) ?? []) out.push(`${name}{${labelText(s.labels)}} ${s.value}`);
  }
  return out.join('\n') + '\n';
}

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
