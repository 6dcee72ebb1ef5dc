// The `timeout` key on real engines: a backup blocked by another session's lock stops when its
// time is up, says so naming the database, leaves no partial file and no pg_dump or psql of
// its own running in the container.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ExecResult } from '../../lib/runtime/container-runtime.ts';
import { testEngines } from '../support/engines.ts';
import { runScript } from '../support/run-script.ts';
import { useServerWithDatabase } from '../support/server-with-database.ts';
import { writeConfig } from '../support/tempdir.ts';

for (const engine of testEngines()) {
  describe(`timeouts on ${engine.name}`, () => {
    const { pg, tmp } = useServerWithDatabase(engine, 'held', 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g');
    const env = { DOCKER_HOST: engine.socket };

    it('a backup blocked by a held ACCESS EXCLUSIVE lock times out, names the timeout and the database, and leaves nothing running', async () => {
      const cfg = await writeConfig(tmp.dir, `
shop:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: held}
    timeout: 4s
    backup: {enabled: true, retention_days: 30}
`);
      const holder: Promise<ExecResult | undefined> = pg.runtime
        .exec(pg.name, ['psql', '-X', '-U', 'postgres', '-d', 'held', '-v', 'ON_ERROR_STOP=1', '-c', "SET application_name = 'test-lock-holder'; BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600);"])
        .catch(() => undefined);
      try {
        for (let i = 0; ; i++) {
          const granted = await pg.sql('held', "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 't' AND l.mode = 'AccessExclusiveLock' AND l.granted");
          if (granted === '1') break;
          assert.ok(i < 100, 'the lock holder never got its lock');
          await new Promise((r) => setTimeout(r, 100));
        }
        const r = await runScript('backup', ['--config', cfg], { env });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /held.*timed out after 4 s.*timeout/);
        // From the first line of the backup to its failure, by pgkeep's own timestamps (the
        // script's start-up is not the backup's time): the timeout plus at most the 30 s grace.
        const at = (re: RegExp) => Date.parse(new RegExp(`^(\\S+) .*${re.source}`, 'm').exec(r.stderr)![1]!);
        const took = at(/timed out after/) - at(/Backing up shop\/production\/held/);
        assert.ok(took < 34_000, `stopped within the timeout and the grace (${took} ms): ${r.stderr}`);
        const left = await fs.readdir(path.join(tmp.dir, 'backups', 'shop', 'production'));
        assert.deepEqual(left.filter((n) => n.includes('held_')), [], 'no partial or final file');
        const sessions = await pg.sql('postgres', "SELECT coalesce(string_agg(application_name || ':' || state, ','), '') FROM pg_stat_activity WHERE datname = 'held' AND application_name <> 'test-lock-holder' AND pid <> pg_backend_pid()");
        assert.equal(sessions, '', 'no session of the backup is left on the server');
        const ps = await pg.runtime.exec(pg.name, ['sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline; echo; done']);
        assert.doesNotMatch(ps.stdout, /pg_dump/, 'no pg_dump left in the container');
      } finally {
        await pg.sql('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'test-lock-holder'");
        await holder;
      }
    });
  });
}
