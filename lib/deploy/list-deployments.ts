// Reads the deployment logs of the selected project/envs.
import { loadConfig } from '../config/load.ts';
import { selectTargets, type Selection } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { targetDir } from '../files/target-dir.ts';
import { readDeployments, type DeploymentRecord } from './deployments.ts';

export interface DeploymentLog {
  project: string;
  env: string;
  records: DeploymentRecord[];
}

export async function listDeployments(opts: Selection & { config?: string | Config }): Promise<DeploymentLog[]> {
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const logs: DeploymentLog[] = [];
  for (const t of selectTargets(config, opts, { includeDisabled: true })) {
    const dir = targetDir(t.project, t.env);
    logs.push({ project: t.project.name, env: t.env, records: await readDeployments(dir) });
  }
  return logs;
}
