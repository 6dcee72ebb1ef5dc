import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LIST_CACHE, readSummaries } from '../../lib/list/summary-cache.ts';

const manifest = (file: string, reason: string) =>
  JSON.stringify({ project: 'p', env: 'e', database: 'db', file, timestamp: file.slice(3, 18), reason, sha256: 'a'.repeat(64), size: 1, tables: [{ schema: 's', name: 't', rows: 1 }] });

test('the list cache never serves a stale summary: rewritten, replaced and removed manifests are seen', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pgkeep-cache-'));
  try {
    const names = ['db_20261122_020000.dump', 'db_20261123_020000.dump'];
    for (const n of names) {
      await fs.writeFile(path.join(dir, n), 'x');
      await fs.writeFile(path.join(dir, `${n}.json`), manifest(n, 'manual'));
    }
    const list = async () => readSummaries(dir, await fs.readdir(dir), 'p', 'e').map((s) => `${path.basename(s.path)}:${s.manifest.reason}:${s.manifest.table_count}`);
    assert.deepEqual(await list(), ['db_20261122_020000.dump:manual:1', 'db_20261123_020000.dump:manual:1']);
    assert.ok((await fs.readdir(dir)).includes(LIST_CACHE), 'the cache was written');
    // Same size, new content, written the way pgkeep writes manifests: a new file renamed over.
    const m = path.join(dir, `${names[0]}.json`);
    await fs.writeFile(`${m}.tmp`, manifest(names[0]!, 'manual').replace('"manual"', '"zanual"'));
    await fs.rename(`${m}.tmp`, m);
    await fs.rm(path.join(dir, `${names[1]}.json`));
    assert.deepEqual(await list(), ['db_20261122_020000.dump:zanual:1']);
    await fs.writeFile(path.join(dir, LIST_CACHE), '{not json');
    assert.deepEqual(await list(), ['db_20261122_020000.dump:zanual:1'], 'a broken cache is rebuilt');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
