// A separate process contending for one pgkeep lock, for the lock race tests. For each line
// "go" on stdin it takes the lock, proves it is alone inside (a marker created exclusively, so a
// second holder at the same time fails), holds it a moment, releases it and prints "done".
// It exits 3 the moment it finds another holder inside.
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { acquireLock } from '../../lib/files/lock.ts';

const [dir, holdMs] = [process.argv[2]!, Number(process.argv[3] ?? 20)];
const marker = path.join(dir, 'inside');

async function once(): Promise<void> {
  const lock = await acquireLock(dir, 'race', { waitSeconds: 60 });
  try {
    await fs.writeFile(marker, String(process.pid), { flag: 'wx' });
  } catch {
    process.stdout.write(`two holders at once: ${await fs.readFile(marker, 'utf8').catch(() => '?')} and ${process.pid}\n`);
    process.exit(3);
  }
  await new Promise((r) => setTimeout(r, holdMs));
  await fs.rm(marker);
  await lock.release();
}

process.stdout.write('ready\n');
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line !== 'go') continue;
  await once();
  process.stdout.write('done\n');
}
