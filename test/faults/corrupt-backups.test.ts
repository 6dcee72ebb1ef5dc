// Corrupt backups: a flipped byte, a truncated file, a zero-byte file with a valid name. verify and
// restore refuse them naming the file (exit 1, the live database untouched) and list-backups --check
// flags them (exit 1).
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { assertClearMessage, assertNothingLost, baselineBackup, captureState, createSmallDatabase, makeBed, runToEnd, type Bed } from './support.ts';

const CORRUPTIONS: Array<[string, (file: string) => Promise<void>, RegExp]> = [
  ['a flipped byte', async (f) => {
    const buf = await fs.readFile(f);
    const at = Math.floor(buf.length / 2);
    buf[at] = buf[at]! ^ 0xff;
    await fs.writeFile(f, buf);
  }, /sha256 does not match the manifest: the file is corrupt/],
  ['a truncated file', async (f) => fs.truncate(f, Math.floor((await fs.stat(f)).size / 2)), /truncated or corrupt/],
  ['a zero-byte file', async (f) => fs.truncate(f, 0), /it is 0 bytes.*truncated or corrupt/],
];

for (const engine of testEngines()) {
  describe(`corrupt backups on ${engine.name}`, () => {
    let bed: Bed;
    let intact: string;
    before(async () => {
      bed = await makeBed(engine, { databases: ['small'] });
      await createSmallDatabase(bed.pg, 'small');
      await baselineBackup(bed);
      intact = (await fs.readdir(bed.dir)).find((f) => /^small_\d{8}_\d{6}\.dump$/.test(f))!.slice(6, 21);
    });
    after(async () => bed?.cleanup());

    for (const [what, corrupt, says] of CORRUPTIONS) {
      it(`${what}: verify and restore refuse it naming the file, list-backups --check flags it`, async () => {
        await baselineBackup(bed);
        const file = (await fs.readdir(bed.dir)).filter((f) => /^small_\d{8}_\d{6}\.dump$/.test(f)).sort().at(-1)!;
        const ts = file.slice(6, 21);
        const full = path.join(bed.dir, file);
        try {
          await corrupt(full);
          const state = await captureState(bed.dir, bed.pg, ['small']);

          const v = await runToEnd('verify', ['--config', bed.cfg, '--backup', ts], bed.env);
          assert.equal(v.code, 1, v.stderr);
          assertClearMessage(v.stderr, new RegExp(`${full.replace(/[.]/g, '\\.')}: .*(${says.source})`));

          const r = await runToEnd('restore', ['--config', bed.cfg, '--backup', ts, '--yes', '--no-safety-backup'], bed.env);
          assert.equal(r.code, 1, r.stderr);
          assertClearMessage(r.stderr, new RegExp(`refusing to restore ${full.replace(/[.]/g, '\\.')}: .*(${says.source})`));
          assert.match(r.stderr, new RegExp(`newest older intact backup of small is ${intact}`));

          const l = await runToEnd('list-backups', ['--config', bed.cfg, '--check'], bed.env);
          assert.match(l.stdout + l.stderr, new RegExp(ts), 'the listing shows the corrupt backup');
          assert.match(l.stdout + l.stderr, /mismatch|corrupt|truncated/i, 'the listing flags it');
          assert.doesNotMatch(l.stderr, /^\s+at /m);

          await assertNothingLost(state, bed.dir, bed.pg, [file]); // the damaged file, by design, no longer matches
          assert.equal(l.code, 1, `list-backups --check exits 1 when a checksum does not match:\n${l.stdout}${l.stderr}`);
        } finally {
          await fs.rm(full, { force: true });
          await fs.rm(`${full}.json`, { force: true });
        }
      });
    }
  });
}
