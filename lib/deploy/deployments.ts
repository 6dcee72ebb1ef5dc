// backups/<project>/<env>/deployments.jsonl: one line per pre-deploy backup, appended, so a
// deploy's safety net can be found by time or label long after the deploy log is gone.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface DeploymentRecord {
  time: string;
  label: string | null;
  timestamp: string;
  backups: string[];
  host: string;
}

export const DEPLOYMENTS_FILE = 'deployments.jsonl';

export async function appendDeployment(dir: string, r: Omit<DeploymentRecord, 'host'>): Promise<void> {
  const line = JSON.stringify({ ...r, host: os.hostname() }) + '\n';
  // One small write with O_APPEND: concurrent appenders never interleave within a line.
  const handle = await fs.open(path.join(dir, DEPLOYMENTS_FILE), 'a', 0o600);
  try {
    await handle.write(line);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readDeployments(dir: string): Promise<DeploymentRecord[]> {
  const text = await fs.readFile(path.join(dir, DEPLOYMENTS_FILE), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as DeploymentRecord];
      } catch {
        return [];
      }
    });
}
