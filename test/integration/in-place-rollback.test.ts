// --in-place is the one restore that touches the live database before a verified copy exists; when
// the load fails half-way it must put the safety backup back by itself and say so (exit 1). The
// failure is a genuine one inside the load: a plain SQL file, valid at its start, with an error
// half-way, named by path with DB= the live database.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { databases, tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const BROKEN = `-- a plain SQL file that starts well
CREATE TABLE public.replaced (id int PRIMARY KEY, note text);
INSERT INTO public.replaced SELECT g, 'from the broken file ' || g FROM generate_series(1, 2000) g;
SELECT 1 / 0 AS half_way;
CREATE TABLE public.never_reached (id int);
`;

for (const engine of testEngines()) {
  describe(`in-place rollback on ${engine.name}`, () => {
    let pg: PgContainer;
    const env = { DOCKER_HOST: engine.socket };
    before(async () => {
      pg = await startPostgres(engine, 15, 'pgkeep-test-inplace');
    });
    after(async () => {
      await pg?.remove();
    });

    it('restore --in-place that fails mid-load puts the live database back from the safety backup, says so, and exits 1', async () => {
      const tmp = await tempDir();
      try {
        await pg.sql('postgres', `CREATE DATABASE live TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await pg.sql('live', `CREATE TABLE orders (id int PRIMARY KEY, total numeric, note text);
          INSERT INTO orders SELECT g, g / 10.0, 'før ' || g FROM generate_series(1, 5000) g;
          CREATE TABLE notes (id serial PRIMARY KEY, body text); INSERT INTO notes (body) VALUES ('één'), ('two')`);
        const before = await tableHashes(pg, 'live');
        const cfg = await writeConfig(tmp.dir, `
shop:
  database:
    container: ${pg.name}
    user: postgres
    backup_dir: ${tmp.dir}/backups
    databases: {production: live}
`);
        const broken = path.join(tmp.dir, 'broken.sql');
        await fs.writeFile(broken, BROKEN);

        const r = await runScript('restore', ['--config', cfg, '--backup', broken, '--db', 'live', '--in-place', '--yes'], { env });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /the in-place restore of live failed: .*division by zero/);
        assert.match(r.stderr, /Putting live back from the safety backup \S+live_\d{8}_\d{6}\.dump/);
        assert.match(r.stderr, /live is back as it was before the restore \(from \S+live_\d{8}_\d{6}\.dump\)/);
        assert.equal(r.stdout, '');
        assert.deepEqual(await tableHashes(pg, 'live'), before);
        assert.equal(await pg.sql('live', "SELECT count(*) FROM pg_tables WHERE tablename IN ('replaced', 'never_reached')"), '0');
        // The safety backup stays listed and restorable; nothing temporary is left.
        const dir = path.join(tmp.dir, 'backups', 'shop', 'production');
        const left = await fs.readdir(dir);
        assert.equal(left.filter((n) => /^live_\d{8}_\d{6}\.dump$/.test(n)).length, 1, left.join(', '));
        assert.deepEqual(left.filter((n) => n.endsWith('.partial')), []);
        assert.deepEqual((await databases(pg)).filter((d) => d.includes('__')), []);
      } finally {
        await pg.sql('postgres', 'DROP DATABASE IF EXISTS live WITH (FORCE)').catch(() => undefined);
        await tmp.cleanup();
      }
    });
  });
}
