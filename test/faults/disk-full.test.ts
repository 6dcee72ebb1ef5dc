// The backup disk fills up mid-dump (backup_dir on a small tmpfs): the run says "no space left",
// names the path and what to do, removes its partial file (the space comes back), keeps the earlier
// backup and `latest`, and prunes nothing although keep_last: 1 would otherwise remove the old one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { assertClearMessage, assertNothingLost, baselineBackup, captureState, makeBed, runToEnd, type Bed } from './support.ts';

const free = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

for (const engine of testEngines()) {
  describe(`backup disk full on ${engine.name}`, () => {
    let bed: Bed;
    let mnt: string;
    let mounted = false;
    before(async () => {
      // The tmpfs is created first so the bed's config can point backup_dir into it.
      mnt = await fs.mkdtemp('/tmp/pgkeep-faults-tmpfs-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=0700', 'tmpfs', mnt]);
      mounted = true;
      bed = await makeBed(engine, { databases: ['medium'], backupDir: mnt, backup: ['enabled: true', 'keep_last: 1'] });
      await bed.pg.sql('postgres', `CREATE DATABASE medium TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await bed.pg.sql('medium', `CREATE TABLE t (id int PRIMARY KEY, a text);
        INSERT INTO t SELECT g, md5(g::text) || md5((g * 3)::text) FROM generate_series(1, 300000) g;`);
      await baselineBackup(bed);
    });
    after(async () => {
      if (mounted) execFileSync('umount', ['-l', mnt]);
      await fs.rm(mnt, { recursive: true, force: true });
      await bed?.cleanup();
    });

    it('says "no space left" with the path and what to do, gives the space back and prunes nothing', async () => {
      const state = await captureState(bed.dir);
      const baseline = Object.keys(state.files).find((f) => f.endsWith('.dump'))!;
      const size = (await fs.stat(path.join(bed.dir, baseline))).size;
      // Leave room for a fraction of a second dump, so the write fails part-way.
      const filler = path.join(mnt, 'filler');
      execFileSync('fallocate', ['-l', String(free(mnt) - Math.floor(size / 3)), filler]);
      try {
        const before = free(mnt);
        // The scheduled run, the one that prunes: it must not prune after a failed backup.
        const r = await runToEnd('scheduled-backup', ['--config', bed.cfg], bed.env);
        assert.equal(r.code, 1, r.stderr);
        assertClearMessage(r.stderr, /no space left on device while writing .*\/shop\/production\/\.medium_\d{8}_\d{6}\.dump\.partial/);
        assert.match(r.stderr, /free space there \(df -h .*\) or point backup_dir at a larger disk/);
        assert.match(r.stderr, /pruning skipped/);
        assert.equal(free(mnt), before, 'the space of the partial file is given back');
        await assertNothingLost(state, bed.dir);
      } finally {
        await fs.rm(filler, { force: true });
      }
    });
  });
}
