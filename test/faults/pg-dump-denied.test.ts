// pg_dump fails part-way: the configured role (not a superuser) may not read one table. The run
// fails with pg_dump's own reason, exit 1, and leaves no backup file, no manifest, `latest` as it was.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { writeConfig } from '../support/tempdir.ts';
import { assertClearMessage, assertNothingLost, baselineBackup, captureState, configYaml, makeBed, runToEnd, type Bed } from './support.ts';

for (const engine of testEngines()) {
  describe(`pg_dump denied part-way on ${engine.name}`, () => {
    let bed: Bed;
    before(async () => {
      bed = await makeBed(engine, { databases: ['shop'] });
      await bed.pg.sql('postgres', `CREATE DATABASE shop TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await bed.pg.sql('shop', `CREATE ROLE reader LOGIN;
        CREATE TABLE a_orders AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 200000) g;
        CREATE TABLE z_salaries (who text, amount int); INSERT INTO z_salaries VALUES ('ceo', 1);
        GRANT SELECT ON a_orders TO reader;`);
      await baselineBackup(bed); // as postgres, so there is an earlier backup to keep
      await writeConfig(bed.root, configYaml(bed.pg.name, { databases: ['shop'], user: 'reader' }, bed.dir.replace(/\/shop\/production$/, '')));
    });
    after(async () => bed?.cleanup());

    it("fails with pg_dump's reason and writes no backup", async () => {
      const state = await captureState(bed.dir);
      const r = await runToEnd('backup', ['--config', bed.cfg], bed.env);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      assertClearMessage(r.stderr, /shop\/production\/shop: .*permission denied for table z_salaries/);
      await assertNothingLost(state, bed.dir);
    });
  });
}
