// PostgreSQL's own regression database (the one pg_dump is tested against: partitions, inheritance,
// RLS, publications, ICU collations, domains, range types, large objects) survives backup, verify
// and a restore-then-swap round trip identical, on Docker and Podman. The fixture is built once by
// test/bed/regression.sh (make bed).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { contentDigests, lineDiff, loadRegression, regressionFixture, schemaDump } from '../support/regression.ts';
import { runScript } from '../support/run-script.ts';
import { databases } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

for (const engine of testEngines()) {
  describe(`PostgreSQL's regression database on ${engine.name}`, () => {
    let pg: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let cfg: string;
    let original: { schema: string; digests: Record<string, string> };
    const env = { DOCKER_HOST: engine.socket };

    before(async () => {
      const fixture = await regressionFixture();
      tmp = await tempDir();
      pg = await startPostgres(engine, 15);
      await loadRegression(pg, fixture);
      cfg = await writeConfig(tmp.dir, `
pgregress:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: regression}
    backup_dir: ./backups
    backup: {enabled: true, retention_days: 30}
`);
      original = { schema: await schemaDump(pg, 'regression', tmp.dir), digests: await contentDigests(pg, 'regression') };
      const b = await runScript('backup', ['--config', cfg], { env });
      assert.equal(b.code, 0, b.stderr);
    });
    after(async () => {
      await pg?.remove();
      await tmp?.cleanup();
    });

    it('the fixture is the rich one: hundreds of tables, partitions, policies, publications, ICU collations, large objects', () => {
      const tables = Object.keys(original.digests).filter((k) => /^[rp] /.test(k));
      assert.ok(tables.length > 500, `only ${tables.length} tables`);
      for (const needle of ['ATTACH PARTITION', 'INHERITS (', 'CREATE POLICY', 'CREATE PUBLICATION', "provider = icu", 'CREATE DOMAIN', 'AS RANGE']) {
        assert.ok(original.schema.includes(needle), `the schema dump has no ${needle}`);
      }
      assert.notEqual(original.digests['large objects']?.split(' ')[0], '0', 'the fixture has large objects');
    });

    it('verify (same container) of the backup passes', async () => {
      const r = await runScript('verify', ['--config', cfg, '--backup', 'latest', '--target', 'same-container'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await databases(pg)).filter((d) => d.includes('__verify_')), []);
    });

    it('restore latest swaps in a copy whose schema and every table, sequence and large object match the original', async () => {
      const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--yes'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^live now: regression in container \S+ holds backup \d{8}_\d{6} \(previous kept as regression__pre_restore_\d{8}_\d{6}\)$/m);
      assert.deepEqual(lineDiff(original.schema, await schemaDump(pg, 'regression', tmp.dir)), [], 'pg_dump --schema-only differs');
      const restored = await contentDigests(pg, 'regression');
      const differing = Object.keys({ ...original.digests, ...restored }).filter((k) => original.digests[k] !== restored[k]);
      assert.deepEqual(differing.map((k) => `${k}: ${original.digests[k] ?? 'missing'} -> ${restored[k] ?? 'missing'}`), []);
    });
  });
}
