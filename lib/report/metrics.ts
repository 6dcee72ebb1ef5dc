// Prometheus node_exporter textfile, rewritten atomically after each run. Derived from the
// manifests on disk, so it is right for every configured database, not only this run's; plus one
// line per command saying whether its last run succeeded, so a run that wrote nothing (every
// target locked, the engine down, a config error) still shows.
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
  ['pgkeep_last_run_success', '1 if the last run of this command succeeded, 0 if anything in it failed.'],
  ['pgkeep_last_run_timestamp_seconds', 'When the last run of this command finished (Unix time).'],
];

const RUN_METRICS = ['pgkeep_last_run_success', 'pgkeep_last_run_timestamp_seconds'];

/** The run being reported: scheduled-backup or verify. */
export interface RunSample {
  command: string;
  ok: boolean;
  at: Date;
}

export async function writeMetrics(config: Config, run?: RunSample): Promise<void> {
  if (!config.metrics) return;
  const samples = new Map<string, Sample[]>(METRICS.map(([name]) => [name, []]));
  await carryRunSamples(config.metrics.textfile, samples, run);
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

/**
 * When the config cannot be read, the textfile still learns that the run failed: every line is
 * kept as it was, only this command's run lines change.
 */
export async function writeRunOnly(textfile: string, run: RunSample): Promise<void> {
  const samples = await readSamples(textfile);
  await carryRunSamples(textfile, samples, run, samples);
  await fs.mkdir(path.dirname(textfile), { recursive: true });
  await writeFileAtomic(textfile, renderMetrics(samples), 0o644);
}

/** Other commands' run lines come over from the file as it is; this run's replace its own. */
async function carryRunSamples(textfile: string, into: Map<string, Sample[]>, run?: RunSample, old?: Map<string, Sample[]>): Promise<void> {
  const previous = old ?? (await readSamples(textfile));
  for (const name of RUN_METRICS) {
    const kept = (previous.get(name) ?? []).filter((s) => s.labels.command !== run?.command);
    into.set(name, kept);
  }
  if (!run) return;
  into.get('pgkeep_last_run_success')!.push({ labels: { command: run.command }, value: run.ok ? 1 : 0 });
  into.get('pgkeep_last_run_timestamp_seconds')!.push({ labels: { command: run.command }, value: Math.floor(run.at.getTime() / 1000) });
}

/** Our own textfile read back; a missing or foreign line is simply not there. */
async function readSamples(textfile: string): Promise<Map<string, Sample[]>> {
  const out = new Map<string, Sample[]>(METRICS.map(([name]) => [name, []]));
  const text = await fs.readFile(textfile, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || !out.has(m[1]!)) continue;
    const labels: Record<string, string> = {};
    for (const l of m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    out.get(m[1]!)!.push({ labels, value: Number(m[3]) });
  }
  return out;
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
