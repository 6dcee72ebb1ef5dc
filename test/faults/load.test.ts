// Load: scheduled-backup over 20 databases in 4 containers with --concurrency 4 completes and every
// backup verifies; two restores of databases in different projects run at once and both succeed;
// two of the same database are serialised by the lock (exit 4 naming the holder without --lock-wait,
// a wait and then success with it).
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { image, startPostgres, type PgContainer } from '../support/pg-container.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';
import { assertClearMessage, createSmallDatabase, runToEnd, startScript, waitUntil, stopLeftoverScripts } from './support.ts';

const PROJECTS = ['p1', 'p2', 'p3', 'p4'];
const DBS = ['d1', 'd2', 'd3', 'd4', 'd5'];

for (const engine of testEngines()) {
  describe(`load on ${engine.name}`, () => {
    const pgs: PgContainer[] = [];
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let cfg: string;
    const app = `pgkeep-faults-app-${Math.random().toString(16).slice(2, 10)}`;
    const env = { DOCKER_HOST: engine.socket };
    before(async () => {
      tmp = await tempDir('pgkeep-faults-load-');
      // An app whose stop takes ~3 s keeps p1's restores holding the lock long enough to collide.
      const c = await engine.docker.createContainer({
        name: app, Image: image(15), Labels: { 'pgkeep-test': '1' },
        Cmd: ['sh', '-c', 'trap "sleep 3; exit 0" TERM; while true; do sleep 1; done'],
      });
      await c.start();
      for (const _ of PROJECTS) pgs.push(await startPostgres(engine, 15, 'pgkeep-faults'));
      for (const pg of pgs) for (const db of DBS) await createSmallDatabase(pg, db);
      cfg = await writeConfig(tmp.dir, PROJECTS.map((p, n) => [
        `${p}:`, '  database:', `    container: ${pgs[n]!.name}`, '    user: postgres',
        `    databases: {production: [${DBS.join(', ')}]}`, `    backup_dir: ${path.join(tmp.dir, 'backups')}`,
        ...(p === 'p1' ? [`    app_containers: [${app}]`] : []),
        '    backup: {enabled: true, retention_days: 30}',
      ].join('\n')).join('\n') + '\n');
    });
    afterEach(stopLeftoverScripts);
    after(async () => {
      await engine.docker.getContainer(app).remove({ force: true }).catch(() => undefined);
      for (const pg of pgs) await pg.remove();
      await tmp?.cleanup();
    });

    it('scheduled-backup of 20 databases in 4 containers with --concurrency 4, and every backup verifies', async () => {
      const r = await runToEnd('scheduled-backup', ['--config', cfg, '--concurrency', '4'], env);
      assert.equal(r.code, 0, r.stderr);
      for (const p of PROJECTS) {
        const files = (await fs.readdir(path.join(tmp.dir, 'backups', p, 'production'))).filter((f) => /_\d{8}_\d{6}\.dump$/.test(f));
        assert.equal(files.length, DBS.length, `${p}: ${files.join(' ')}`);
      }
      const v = await runToEnd('verify', ['--config', cfg, '--all'], env);
      assert.equal(v.code, 0, v.stderr);
      assert.equal((v.stderr.match(/ ok in /g) ?? []).length, 20, v.stderr);
    });

    it('two restores of databases in different projects at once both succeed', async () => {
      await pgs[1]!.sql('d1', `INSERT INTO t VALUES (5001, 'after the backup')`);
      await pgs[2]!.sql('d2', `INSERT INTO t VALUES (5001, 'after the backup')`);
      const args = (p: string, db: string) => ['--config', cfg, '--project', p, '--env', 'production', '--backup', 'latest', '--db', db, '--yes'];
      const [a, b] = await Promise.all([runToEnd('restore', args('p2', 'd1'), env), runToEnd('restore', args('p3', 'd2'), env)]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(await pgs[1]!.sql('d1', 'SELECT count(*) FROM t'), '1000');
      assert.equal(await pgs[2]!.sql('d2', 'SELECT count(*) FROM t'), '1000');
    });

    it('two restores of the same database are serialised by the lock', async () => {
      const args = ['--config', cfg, '--project', 'p1', '--env', 'production', '--backup', 'latest', '--db', 'd3', '--yes', '--no-safety-backup'];
      const lock = path.join(tmp.dir, 'backups', 'p1', 'production', '.pgkeep.lock');
      const first = startScript('restore', args, env);
      await waitUntil('the first restore to hold the lock', () => fs.stat(lock).then(() => true, () => false));
      const refused = startScript('restore', args, env);
      const waiting = startScript('restore', [...args, '--lock-wait', '300'], env);
      const [r1, r2, r3] = await Promise.all([first.done, refused.done, waiting.done]);
      assert.equal(r1.code, 0, r1.stderr);
      assert.equal(r2.code, 4, `without --lock-wait the second exits 4:\n${r2.stderr}`);
      assertClearMessage(r2.stderr, /p1\/production is locked by another pgkeep run: .*PID \d+/);
      assert.equal(r3.code, 0, r3.stderr);
      assert.match(r3.stderr, /waiting for the lock on p1\/production/);
      await assert.rejects(fs.stat(lock), 'the lock is released');
      assert.equal(await pgs[0]!.sql('d3', 'SELECT count(*) FROM t'), '1000');
    });
  });
}
