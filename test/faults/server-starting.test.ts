// A server that is still starting: the backup waits a bounded time (SERVER_START_WAIT_MS, 30 s) and
// succeeds if PostgreSQL comes up within it; a server that never does fails with one clear message
// naming the container and the bound, exit 1, nothing written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SERVER_START_WAIT_MS } from '../../lib/backup/snapshot.ts';
import { testEngines } from '../support/engines.ts';
import { image } from '../support/pg-container.ts';
import { writeConfig } from '../support/tempdir.ts';
import { assertClearMessage, assertNothingLost, baselineBackup, captureState, configYaml, createSmallDatabase, makeBed, runToEnd, type Bed } from './support.ts';

for (const engine of testEngines()) {
  describe(`server still starting on ${engine.name}`, () => {
    let bed: Bed;
    before(async () => {
      bed = await makeBed(engine, { databases: ['small'] });
      await createSmallDatabase(bed.pg, 'small');
      await baselineBackup(bed);
    });
    after(async () => bed?.cleanup());

    it('waits for a server that was just started, then backs up', async () => {
      const c = engine.docker.getContainer(bed.pg.name);
      await c.stop({ t: 5 });
      await c.start();
      // No readiness wait here: the backup starts while PostgreSQL is still coming up.
      const r = await runToEnd('backup', ['--config', bed.cfg], bed.env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /small_\d{8}_\d{6}\.dump/);
    });

    it(`fails after ${SERVER_START_WAIT_MS / 1000} s with one clear message when the server never accepts connections`, async () => {
      // The image, but no server started in it: what a container stuck before PostgreSQL looks like.
      const name = `pgkeep-faults-nopg-${Math.random().toString(16).slice(2, 10)}`;
      const c = await engine.docker.createContainer({ name, Image: image(15), Cmd: ['sleep', 'infinity'], Labels: { 'pgkeep-test': '1' } });
      try {
        await c.start();
        const cfg = await writeConfig(bed.root, configYaml(name, { databases: ['small'] }, bed.dir.replace(/\/shop\/production$/, '')));
        const state = await captureState(bed.dir);
        const started = Date.now();
        const r = await runToEnd('backup', ['--config', cfg], bed.env);
        const took = Date.now() - started;
        assert.equal(r.code, 1, r.stderr);
        assertClearMessage(r.stderr, new RegExp(`PostgreSQL in container "${name}" did not accept connections within ${SERVER_START_WAIT_MS / 1000} s`));
        // The bound is checked between attempts, and one Podman exec took up to 20 s on the loaded test
        // machine: the upper limit leaves room for that, the point is that the wait ends.
        assert.ok(took >= SERVER_START_WAIT_MS && took < SERVER_START_WAIT_MS + 150_000, `bounded: took ${took} ms`);
        await assertNothingLost(state, bed.dir);
      } finally {
        await c.remove({ force: true }).catch(() => undefined);
        await writeConfig(bed.root, configYaml(bed.pg.name, { databases: ['small'] }, bed.dir.replace(/\/shop\/production$/, '')));
      }
    });
  });
}
