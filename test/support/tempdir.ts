// Each test builds what it needs in its own temporary directory and removes it afterwards.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export async function tempDir(prefix = 'pgkeep-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

export async function writeConfig(dir: string, yaml: string): Promise<string> {
  const file = path.join(dir, 'projects.yml');
  await fs.writeFile(file, yaml);
  return file;
}

/** A temporary directory that lives as long as test `t`: removed when it ends, pass or fail. */
export async function testTempDir(t: Pick<TestContext, 'after'>, prefix = 'pgkeep-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const tmp = await tempDir(prefix);
  t.after(tmp.cleanup);
  return tmp;
}
