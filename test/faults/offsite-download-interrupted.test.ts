// SIGINT and SIGTERM while a FROM=offsite restore downloads its backup: the hidden download folder
// is removed, the live database and the local backups are as they were, no temporary database is
// left, and the exit code is the signal's.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { offsiteYaml, s3Env, startS3Server, type S3Server } from '../support/s3-server.ts';
import { assertClearMessage, assertNothingLost, captureState, createBigDatabase, makeBed, runToEnd, startScript, stopLeftoverScripts, tempDatabases, waitUntil, type Bed } from './support.ts';

const SIGNALS = [['SIGINT', 130], ['SIGTERM', 143]] as const;

/** Bytes downloaded so far into the restore's hidden `.offsite-<pid>.partial/` folder; 0 before it exists. */
async function downloadedBytes(dir: string): Promise<number> {
  const folder = (await fs.readdir(dir).catch(() => [] as string[])).find((f) => /^\.offsite-\d+\.partial$/.test(f));
  if (!folder) return 0;
  const files = await fs.readdir(path.join(dir, folder)).catch(() => [] as string[]);
  const sizes = await Promise.all(files.map((f) => fs.stat(path.join(dir, folder, f)).then((s) => s.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

for (const engine of testEngines()) {
  describe(`offsite download interrupted on ${engine.name}`, () => {
    let bed: Bed;
    let s3: S3Server;
    let env: Record<string, string>;
    before(async () => {
      s3 = await startS3Server();
      // Uncompressed, so the download takes long enough to be interrupted in the middle.
      bed = await makeBed(engine, { databases: ['big'], extra: ['compression: 0', offsiteYaml(s3, 'part_size_mb: 5')] });
      await createBigDatabase(bed.pg, 'big', 1_000_000);
      env = { ...bed.env, ...s3Env(s3) };
      const b = await runToEnd('backup', ['--config', bed.cfg], env);
      assert.equal(b.code, 0, b.stderr);
    });
    afterEach(stopLeftoverScripts);
    after(async () => {
      await bed?.cleanup();
      await s3?.stop();
    });

    for (const [sig, code] of SIGNALS) {
      it(`${sig} during the download removes the download folder and touches nothing`, async () => {
        const state = await captureState(bed.dir, bed.pg, ['big']);
        const run = startScript('restore', ['--config', bed.cfg, '--backup', 'latest', '--from', 'offsite', '--yes'], env);
        await waitUntil('the download to start', async () => (await downloadedBytes(bed.dir)) > 0 || run.child.exitCode !== null);
        run.child.kill(sig);
        const r = await run.done;
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, /Downloading s3:\/\/pgkeep-test\//);
        assert.doesNotMatch(r.stderr, /sha256 matches the manifest/, 'the signal came while the file was still downloading');
        assertClearMessage(r.stderr, /(SIGINT|SIGTERM) received/);
        assert.equal(r.stdout, '', 'no "live now" line: nothing was restored');
        assert.deepEqual((await fs.readdir(bed.dir)).filter((f) => f.startsWith('.offsite-')), [], 'the download folder is gone');
        await assertNothingLost(state, bed.dir, bed.pg);
        assert.deepEqual(await tempDatabases(bed.pg), []);
      });
    }
  });
}
