// The S3 server dies in the middle of the upload: the run is partial (exit 3), the local backup is
// intact and `latest` points at it, and the next run, with the server back, uploads it.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256File } from '../../lib/files/checksum.ts';
import { testEngines } from '../support/engines.ts';
import { offsiteYaml, s3Env, startS3Server, type S3Server } from '../support/s3-server.ts';
import { createBigDatabase, makeBed, startScript, waitUntil, type Bed } from './support.ts';

for (const engine of testEngines()) {
  describe(`offsite server killed mid-upload on ${engine.name}`, () => {
    let bed: Bed;
    let s3: S3Server;
    before(async () => {
      s3 = await startS3Server();
      // Uncompressed, so the upload takes long enough to be cut in the middle.
      bed = await makeBed(engine, { databases: ['big'], backup: ['enabled: true', 'retention_days: 30'], extra: ['compression: 0', offsiteYaml(s3, 'part_size_mb: 5')] });
      await createBigDatabase(bed.pg, 'big', 1_000_000);
    });
    after(async () => {
      await bed?.cleanup();
      await s3?.stop();
    });

    it('exits 3 with the local backup intact and latest good; the next run uploads it', async () => {
      const env = { ...bed.env, ...s3Env(s3) };
      const run = startScript('scheduled-backup', ['--config', bed.cfg], env);
      await waitUntil('the upload to start', () => /Uploading /.test(run.stderr()));
      await new Promise((r) => setTimeout(r, 150));
      await s3.kill();
      const r = await run.done;
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /offsite upload of .*big_\d{8}_\d{6}\.dump failed: .*bucket "pgkeep-test" at http:\/\/127\.0\.0\.1:\d+ did not answer/);
      assert.match(r.stderr, /the local backup is kept and good/);
      // The set's roles file is uploaded after the dump, so it fails too.
      assert.match(r.stderr, /offsite upload of .*globals_\d{8}_\d{6}\.sql failed: .*did not answer/);
      assert.match(r.stderr, /pruning skipped: 2 offsite uploads failed/);
      const latest = await fs.readlink(path.join(bed.dir, 'big_latest.dump'));
      const m = JSON.parse(await fs.readFile(path.join(bed.dir, `${latest}.json`), 'utf8'));
      assert.deepEqual(await sha256File(path.join(bed.dir, latest)), { sha256: m.sha256, size: m.size });
      assert.equal(m.offsite, undefined);
      assert.ok(m.offsite_error, 'the failure is recorded in the manifest');

      await s3.restart();
      await new Promise((r) => setTimeout(r, 1100)); // the next run's timestamp differs by a second
      const next = await startScript('scheduled-backup', ['--config', bed.cfg], env).done;
      assert.equal(next.code, 0, next.stderr);
      const again = JSON.parse(await fs.readFile(path.join(bed.dir, `${latest}.json`), 'utf8'));
      assert.equal(again.offsite?.sha256, m.sha256, 'the earlier backup was uploaded by the next run');
      assert.equal(again.offsite_error, undefined);
      const newest = await fs.readlink(path.join(bed.dir, 'big_latest.dump'));
      assert.notEqual(newest, latest);
      assert.ok(JSON.parse(await fs.readFile(path.join(bed.dir, `${newest}.json`), 'utf8')).offsite, 'and its own backup too');
      const roles = (await fs.readdir(bed.dir)).filter((f) => /^globals_\d{8}_\d{6}\.sql\.json$/.test(f));
      assert.equal(roles.length, 2, 'a roles file with each set');
      for (const f of roles) assert.ok(JSON.parse(await fs.readFile(path.join(bed.dir, f), 'utf8')).offsite, `${f}: uploaded, the earlier one by the next run`);
    });
  });
}
