// The demo: pgkeep's main job on the demo database, shown as the commands an operator would type
// and run exactly as shown, from the repository root, so each one can be pasted again afterwards.
import fs from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import { shellWord } from '../cli/command-hint.ts';
import type { Logger } from '../log.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import { DEMO_CONTAINER, ensureDemoDatabase, removeDemoDatabase } from './demo-db.ts';

/** The config is written into the demo's own backup directory, relative to the repository. */
export const DEMO_DIR = path.join('backups', 'demo');

const CONFIG = `# Written by make demo.
demo:
  database:
    container: ${DEMO_CONTAINER}
    user: postgres
    databases:
      production: [shop, crm]
    backup_dir: .
    backup:
      enabled: true
      retention_days: 7
`;

export interface DemoOptions {
  /** The pgkeep checkout: scripts run from here, as the printed commands say. */
  repo: string;
  runtime: ContainerRuntime;
  log: Logger;
}

/** Runs the demo; returns the exit code of the first step that failed, or 0. */
export async function runDemo({ repo, runtime, log }: DemoOptions): Promise<number> {
  await ensureDemoDatabase(runtime, log);
  await fs.mkdir(path.join(repo, DEMO_DIR), { recursive: true, mode: 0o700 });
  const config = path.join(DEMO_DIR, 'projects.yml');
  await fs.writeFile(path.join(repo, config), CONFIG);
  if (path.resolve(process.cwd()) !== repo) log.info(`The commands below run from ${repo}:`);
  for (const [script, argv] of demoSteps(config)) {
    log.step(`\n$ ./scripts/${script}.ts ${argv.map(shellWord).join(' ')}`);
    const r = await $({ cwd: repo, stdio: 'inherit', nothrow: true })`./scripts/${script}.ts ${argv}`;
    if (r.exitCode !== 0) return r.exitCode ?? 1;
  }
  log.ok(`\nDemo done. Backups are in ${path.join(repo, DEMO_DIR)}; remove everything with: make demo-clean`);
  return 0;
}

export function demoSteps(config: string): Array<[string, string[]]> {
  return [
    ['backup', ['--config', config]],
    ['list-backups', ['--config', config]],
    ['verify', ['--config', config]],
    ['restore', ['--config', config, '--backup', 'latest', '--yes', '--drop-old']],
    ['list-backups', ['--config', config]],
  ];
}

export async function cleanDemo({ repo, runtime, log }: DemoOptions): Promise<void> {
  await removeDemoDatabase(runtime);
  await fs.rm(path.join(repo, DEMO_DIR), { recursive: true, force: true });
  log.ok('demo container and backups removed');
}
