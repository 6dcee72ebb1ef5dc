// SIGINT and SIGTERM during backup, restore (before and during the swap), verify (same container and
// scratch) and prune: the run exits 130/143 after cleaning up: no temporary file, database or scratch
// container, the lock released, the app containers running, the live database as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { image } from '../support/pg-container.ts';
import { createRichDatabase } from '../support/seed.ts';
import { writeConfig } from '../support/tempdir.ts';
import {
  assertClearMessage, assertNothingLost, baselineBackup, captureState, configYaml, createBigDatabase, lockFiles, makeBed,
  partialBytes, startScript, stopLeftoverScripts, tempDatabases, waitUntil, type Bed, type Run,
} from './support.ts';

const SIGNALS = [['SIGINT', 130], ['SIGTERM', 143]] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const engine of testEngines()) {
  describe(`signals on ${engine.name}`, () => {
    let bed: Bed;
    const app = `pgkeep-faults-app-${Math.random().toString(16).slice(2, 10)}`;
    const appRunning = async () => (await engine.docker.getContainer(app).inspect()).State.Running === true;
    before(async () => {
      bed = await makeBed(engine, { databases: ['big', 'rich'] });
      // An app whose stop takes about 3 s, so a signal can land while the swap waits for it.
      const c = await engine.docker.createContainer({
        name: app, Image: image(15), Labels: { 'pgkeep-test': '1' },
        Cmd: ['sh', '-c', 'trap "sleep 3; exit 0" TERM; while true; do sleep 1; done'],
      });
      await c.start();
      await writeConfig(bed.root, configYaml(bed.pg.name, { databases: ['big', 'rich'], extra: [`app_containers: [${app}]`] }, path.dirname(path.dirname(bed.dir))));
      await createBigDatabase(bed.pg, 'big');
      await createRichDatabase(bed.pg, 'rich');
      await baselineBackup(bed);
    });
    afterEach(stopLeftoverScripts);
    after(async () => {
      await engine.docker.getContainer(app).remove({ force: true }).catch(() => undefined);
      await bed?.cleanup();
    });

    /** The checks every interrupted run must pass. */
    async function assertCleanStop(run: Run, code: number, state: Awaited<ReturnType<typeof captureState>>): Promise<string> {
      const r = await run.done;
      assert.equal(r.code, code, r.stderr);
      assertClearMessage(r.stderr, /(SIGINT|SIGTERM) received: stopping and cleaning up/);
      await assertNothingLost(state, bed.dir, bed.pg);
      assert.deepEqual(await lockFiles(bed.dir), [], 'the lock is released');
      assert.deepEqual(await tempDatabases(bed.pg), [], 'no temporary database is left');
      assert.equal(await appRunning(), true, 'the app container runs');
      await waitUntil('no pg_dump/pg_restore session of pgkeep to remain on the server', async () =>
        (await bed.pg.sql('postgres', `SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgkeep%'`)) === '0', 10_000);
      return r.stderr;
    }

    for (const [sig, code] of SIGNALS) {
      it(`${sig} during a backup's dump: exit ${code}, no partial file, lock released`, async () => {
        const state = await captureState(bed.dir, bed.pg, ['rich']);
        const run = startScript('backup', ['--config', bed.cfg, '--db', 'big'], bed.env);
        await waitUntil('the dump to be streaming', async () => (await partialBytes(bed.dir)) > 1024 * 1024);
        run.child.kill(sig);
        await assertCleanStop(run, code, state);
      });

      it(`${sig} during a restore, before the swap: the temporary database is dropped, live intact`, async () => {
        const state = await captureState(bed.dir, bed.pg, ['rich']);
        const run = startScript('restore', ['--config', bed.cfg, '--backup', 'latest', '--db', 'rich', '--yes', '--no-safety-backup'], bed.env);
        await waitUntil('pg_restore to be loading', () => /Restoring .* into rich__restore_/.test(run.stderr()));
        await sleep(300);
        run.child.kill(sig);
        const stderr = await assertCleanStop(run, code, state);
        assert.doesNotMatch(stderr, /Swapping in/);
      });

      it(`${sig} during a restore's swap: rolled back, the app started again, live intact`, async () => {
        const state = await captureState(bed.dir, bed.pg, ['rich']);
        const dbs = await bed.pg.sql('postgres', 'SELECT datname FROM pg_database ORDER BY 1');
        const run = startScript('restore', ['--config', bed.cfg, '--backup', 'latest', '--db', 'rich', '--yes', '--no-safety-backup'], bed.env);
        // The app takes ~3 s to stop: the signal lands inside the swap, after connections are blocked.
        await waitUntil('the swap to start', () => /Swapping in/.test(run.stderr()));
        await sleep(500);
        run.child.kill(sig);
        const stderr = await assertCleanStop(run, code, state);
        assert.match(stderr, /rolled back: allow connections to rich again/);
        assert.equal(await bed.pg.sql('postgres', 'SELECT datname FROM pg_database ORDER BY 1'), dbs, 'no database was renamed or left behind');
        assert.equal(await bed.pg.sql('postgres', `SELECT datallowconn FROM pg_database WHERE datname = 'rich'`), 't', 'rich accepts connections again');
      });

      it(`${sig} during verify in the same container: the temporary database is dropped, the manifest untouched`, async () => {
        const state = await captureState(bed.dir, bed.pg, ['rich']);
        const run = startScript('verify', ['--config', bed.cfg, '--db', 'rich'], bed.env);
        await waitUntil('the verify restore to be loading', () => /Restoring into rich__verify_/.test(run.stderr()));
        await sleep(300);
        run.child.kill(sig);
        await assertCleanStop(run, code, state);
      });

      it(`${sig} during verify on a scratch container: the scratch container is removed`, async () => {
        const state = await captureState(bed.dir, bed.pg, ['rich']);
        const run = startScript('verify', ['--config', bed.cfg, '--db', 'rich', '--target', 'scratch'], bed.env);
        await waitUntil('the scratch container to be starting', () => /Starting a scratch container/.test(run.stderr()));
        await sleep(1000);
        run.child.kill(sig);
        const stderr = await assertCleanStop(run, code, state);
        const name = /removed scratch container (pgkeep-verify-[0-9a-f]+)/.exec(stderr)?.[1];
        assert.ok(name, `the scratch container's removal is reported:\n${stderr}`);
        await assert.rejects(engine.docker.getContainer(name).inspect(), /no such container|404/i);
      });

      it(`${sig} during prune: stops between two removals, every remaining file keeps its manifest`, async () => {
        const planted = await plantOldBackups(bed.dir, 'rich', 1500);
        const kept = await captureState(bed.dir, bed.pg, ['rich']);
        const run = startScript('prune', ['--config', bed.cfg], bed.env);
        await waitUntil('prune to be removing', () => /removed .*rich_2020/.test(run.stderr()));
        run.child.kill(sig);
        const r = await run.done;
        assert.equal(r.code, code, r.stderr);
        assertClearMessage(r.stderr, /(SIGINT|SIGTERM) received/);
        assert.deepEqual(await lockFiles(bed.dir), [], 'the lock is released');
        const left = await fs.readdir(bed.dir);
        const removed = planted.filter((f) => !left.includes(f));
        assert.ok(removed.length > 0 && removed.length < planted.length, `prune stopped part-way (${removed.length} of ${planted.length} removed)`);
        for (const f of left.filter((x) => /_\d{8}_\d{6}\.dump$/.test(x))) assert.ok(left.includes(`${f}.json`), `${f} keeps its manifest`);
        for (const f of left.filter((x) => x.endsWith('.dump.json'))) assert.ok(left.includes(f.slice(0, -5)), `${f} keeps its file`);
        // What remains of the plant goes, so the next cases compare against the real backups only.
        for (const f of planted) await fs.rm(path.join(bed.dir, f), { force: true }), await fs.rm(path.join(bed.dir, `${f}.json`), { force: true });
        const real = Object.fromEntries(Object.entries(kept.files).filter(([f]) => !/_2020/.test(f)));
        await assertNothingLost({ ...kept, files: real }, bed.dir, bed.pg);
      });
    }
  });
}

/** Backups of `db` dated 2020 (the newest one's manifest, re-dated), which retention_days: 30 removes. */
async function plantOldBackups(dir: string, db: string, n: number): Promise<string[]> {
  const src = (await fs.readdir(dir)).filter((f) => new RegExp(`^${db}_\\d{8}_\\d{6}\\.dump$`).test(f)).sort().at(-1)!;
  const manifest = JSON.parse(await fs.readFile(path.join(dir, `${src}.json`), 'utf8')) as Record<string, unknown>;
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = new Date(Date.UTC(2020, 0, 1) + i * 3600_000);
    const ts = d.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
    const file = `${db}_${ts}.dump`;
    // prune reads manifests only: a small stand-in keeps 1500 of them cheap.
    await fs.writeFile(path.join(dir, file), 'stand-in', { mode: 0o600 });
    await fs.writeFile(path.join(dir, `${file}.json`), JSON.stringify({ ...manifest, file, timestamp: ts, started_at: d.toISOString(), finished_at: d.toISOString() }), { mode: 0o600 });
    names.push(file);
  }
  return names;
}
