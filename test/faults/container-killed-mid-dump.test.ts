// The database container is killed while pg_dump streams: the run fails naming the container, and
// neither a temporary nor a final-named file is left; the earlier backup and `latest` are untouched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useBigDumpBed } from '../support/big-dump-bed.ts';
import { testEngines } from '../support/engines.ts';
import { assertClearMessage, assertNothingLost, captureState, partialBytes, startScript, waitUntil } from './support.ts';

for (const engine of testEngines()) {
  describe(`container killed mid-dump on ${engine.name}`, () => {
    const bed = useBigDumpBed(engine);

    it('fails with exit 1 naming the container, and leaves nothing half-made', async () => {
      const state = await captureState(bed.dir);
      const run = startScript('backup', ['--config', bed.cfg], bed.env);
      await waitUntil('the dump to be streaming', async () => (await partialBytes(bed.dir)) > 1024 * 1024);
      await engine.docker.getContainer(bed.pg.name).kill();
      const r = await run.done;
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '', 'no path is printed for a backup that was not written');
      assertClearMessage(r.stderr, new RegExp(`shop/production/big: .*${bed.pg.name}`));
      await assertNothingLost(state, bed.dir);
    });
  });
}
