// One UTC timestamp per run. If any database of the set already has a file for that second (two
// runs in one second), take the next free second: never overwrite.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Target } from '../config/select.ts';
import { formatTimestamp } from '../names.ts';

export async function chooseTimestamp(targets: Target[], now: Date): Promise<string> {
  for (let offset = 0; ; offset++) {
    const ts = formatTimestamp(new Date(now.getTime() + offset * 1000));
    if (!(await anyTaken(targets, ts))) return ts;
  }
}

async function anyTaken(targets: Target[], ts: string): Promise<boolean> {
  for (const t of targets) {
    const dir = path.join(t.project.backupDir, t.project.name, t.env);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    if (names.some((n) => n.includes(`_${ts}.`))) return true;
  }
  return false;
}
