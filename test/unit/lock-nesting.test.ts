// Locks nest by handle, not by process: a call given the caller's lock reuses it and leaves it
// held; a call without it waits like any other run.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chooseTimestamp } from '../../lib/backup/choose-timestamp.ts';
import type { Target } from '../../lib/config/select.ts';
import type { ProjectConfig } from '../../lib/config/types.ts';
import { LockedError } from '../../lib/errors.ts';
import { LOCK_FILE } from '../../lib/files/lock.ts';
import { targetDir } from '../../lib/files/target-dir.ts';
import { heldLocks, withTargetLock, withTargetLocks } from '../../lib/files/target-lock.ts';
import { tempDir } from '../support/tempdir.ts';

describe('target locks', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let shop: Target;
  let blog: Target;
  before(async () => {
    tmp = await tempDir('pgkeep-nesting-');
    const project = (name: string) => ({ name, backupDir: path.join(tmp.dir, 'backups') }) as ProjectConfig;
    shop = { project: project('shop'), env: 'production', databases: ['shop'] };
    blog = { project: project('blog'), env: 'production', databases: ['blog'] };
  });
  after(async () => tmp?.cleanup());

  it('targetDir is <backup_dir>/<project>/<env>', () => {
    assert.equal(targetDir(shop.project, 'staging'), path.join(tmp.dir, 'backups', 'shop', 'staging'));
  });

  it('a call given the held lock reuses it and leaves it held; one without it is refused', async () => {
    await withTargetLock(shop, {}, async (outer) => {
      assert.equal(outer.dir, targetDir(shop.project, shop.env));
      await assert.rejects(withTargetLock(shop, {}, async () => undefined), LockedError);
      const inner = await withTargetLock(shop, { held: heldLocks([{ target: shop, lock: outer }]) }, async (lock) => lock);
      assert.equal(inner, outer);
      assert.equal(outer.held, true, 'the nested call did not release the caller\'s lock');
      await fs.access(path.join(outer.dir, LOCK_FILE));
    });
    await assert.rejects(fs.access(path.join(targetDir(shop.project, shop.env), LOCK_FILE)), 'released after the outer call');
  });

  it('locks what it can and reports the rest as refused, releasing everything afterwards', async () => {
    await withTargetLock(blog, {}, async () => {
      await withTargetLocks([shop, blog], {}, async ({ locked, refused }) => {
        assert.deepEqual(locked.map((l) => l.target), [shop]);
        assert.deepEqual(refused.map((r) => r.target), [blog]);
        assert.ok(refused[0]!.error instanceof LockedError);
      });
    });
    await withTargetLocks([shop, blog], {}, async ({ locked }) => assert.equal(locked.length, 2));
  });

  it('a timestamp is chosen only under held locks, and skips a second already taken', async () => {
    const now = new Date('2026-11-22T02:00:00Z');
    const lock = await withTargetLock(shop, {}, async (l) => {
      await fs.writeFile(path.join(l.dir, 'shop_20261122_020000.dump'), '');
      assert.equal(await chooseTimestamp([l], now), '20261122_020001');
      return l;
    });
    await assert.rejects(chooseTimestamp([lock], now), /no longer held/);
  });
});
