// Retention belongs to scheduled runs (and db-prune): a manual or pre-deploy backup taken before
// risky work adds to what is kept and never removes an older backup.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { runScript } from '../support/run-script.ts';
import { useServerWithDatabase } from '../support/server-with-database.ts';
import { writeConfig } from '../support/tempdir.ts';

const dumps = async (dir: string) => (await fs.readdir(dir)).filter((f) => /^app_\d{8}_\d{6}\.dump$/.test(f)).sort();

for (const engine of testEngines()) {
  describe(`retention and manual backups on ${engine.name}`, () => {
    const { pg, tmp } = useServerWithDatabase(engine, 'app', 'CREATE TABLE t (x int); INSERT INTO t VALUES (1)');
    const env = { DOCKER_HOST: engine.socket };

    it('manual and pre-deploy backups with keep_last: 1 remove nothing; the scheduled run then applies it', async () => {
      const cfg = await writeConfig(tmp.dir, `
app:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: app}
    backup_dir: ./backups
    backup: {enabled: true, keep_last: 1}
`);
      const dir = path.join(tmp.dir, 'backups', 'app', 'production');
      for (let i = 0; i < 2; i++) {
        const r = await runScript('backup', ['--config', cfg], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /pruned/);
      }
      const pre = await runScript('pre-deploy', ['--config', cfg, '--project', 'app', '--env', 'production', '--label', 'v2'], { env });
      assert.equal(pre.code, 0, pre.stderr);
      assert.equal((await dumps(dir)).length, 3, 'every backup is still there');
      const scheduled = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(scheduled.code, 0, scheduled.stderr);
      const left = await dumps(dir);
      assert.equal(left.length, 1, `keep_last: 1 applied by the scheduled run: ${left.join(', ')}`);
      assert.equal(await fs.readlink(path.join(dir, 'app_latest.dump')), left[0]);
    });
  });
}
