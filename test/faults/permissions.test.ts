// Whatever the umask (000 or 022), backups, manifests and the lock are 0600 and the directories pgkeep
// makes are 0700; a backup_dir that others can write to draws a warning.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { writeConfig } from '../support/tempdir.ts';
import { configYaml, createBigDatabase, createSmallDatabase, makeBed, startScript, waitUntil, type Bed, stopLeftoverScripts } from './support.ts';

const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;

for (const engine of testEngines()) {
  describe(`permissions on ${engine.name}`, () => {
    let bed: Bed;
    before(async () => {
      bed = await makeBed(engine, { databases: ['small', 'big'] });
      await createSmallDatabase(bed.pg, 'small');
      await createBigDatabase(bed.pg, 'big', 300_000);
    });
    afterEach(stopLeftoverScripts);
    after(async () => bed?.cleanup());

    for (const umask of ['000', '022']) {
      it(`under umask ${umask}: files, manifests and the lock 0600, directories 0700`, async () => {
        const root = path.join(bed.root, `backups-umask-${umask}`);
        const cfg = await writeConfig(bed.root, configYaml(bed.pg.name, { databases: ['small', 'big'] }, root));
        const dir = path.join(root, 'shop', 'production');
        const run = startScript('backup', ['--config', cfg], bed.env, `umask ${umask}`);
        let lockMode: number | undefined;
        await waitUntil('the lock file', async () => {
          lockMode = await mode(path.join(dir, '.pgkeep.lock')).catch(() => undefined);
          return lockMode !== undefined;
        });
        const r = await run.done;
        assert.equal(r.code, 0, r.stderr);
        assert.equal(lockMode, 0o600, 'the lock file');
        for (const d of [root, path.dirname(dir), dir]) assert.equal(await mode(d), 0o700, d);
        const files = (await fs.readdir(dir)).filter((f) => !f.includes('_latest'));
        assert.ok(files.some((f) => f.endsWith('.dump')) && files.some((f) => f.endsWith('.dump.json')), files.join(' '));
        for (const f of files) {
          const p = path.join(dir, f);
          if ((await fs.stat(p)).isFile()) assert.equal(await mode(p), 0o600, p);
        }
        assert.doesNotMatch(r.stderr, /can be written by other users/);
      });
    }

    it('warns when others can write to backup_dir', async () => {
      const root = path.join(bed.root, 'shared-backups');
      await fs.mkdir(root);
      await fs.chmod(root, 0o777);
      const cfg = await writeConfig(bed.root, configYaml(bed.pg.name, { databases: ['small'] }, root));
      const r = await startScript('backup', ['--config', cfg], bed.env).done;
      assert.equal(r.code, 0, r.stderr);
      const warnings = r.stderr.match(/warn.*backup_dir .* can be written by other users \(mode 0777\).*chmod go-w/g) ?? [];
      assert.equal(warnings.length, 1, r.stderr);
      assert.equal(await mode(path.join(root, 'shop')), 0o700, 'its subdirectories are still private');
    });
  });
}
