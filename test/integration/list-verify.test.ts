// `make db-list-backups` and `make db-verify` against real servers on Docker and Podman.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { databases } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const ENTRY_FIELDS = ['project', 'env', 'database', 'timestamp', 'path', 'size', 'sha256', 'format', 'reason', 'label', 'created', 'latest', 'verified', 'problem', 'offsite'];

for (const engine of testEngines()) {
  describe(`list-backups and verify on ${engine.name}`, () => {
    let pg: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let cfg: string;
    let first: string[];
    let second: string[];
    const env = { DOCKER_HOST: engine.socket };
    const dir = () => path.join(tmp.dir, 'backups', 'crm', 'production');
    // Only scratch containers that appeared since `before` count: another run's leftovers are not this test's.
    const scratchIds = async () =>
      (await engine.docker.listContainers({ all: true })).filter((c) => c.Names.some((n) => n.includes('pgkeep-verify-'))).map((c) => c.Id);
    const newScratch = async (before: string[]) => (await scratchIds()).filter((id) => !before.includes(id));

    before(async () => {
      tmp = await tempDir();
      pg = await startPostgres(engine, 15);
      for (const db of ['contacts', 'deals']) {
        await pg.sql('postgres', `CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await pg.sql(db, `CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 5000) g; CREATE TABLE u (x int); INSERT INTO u VALUES (1)`);
      }
      cfg = await writeConfig(tmp.dir, `
crm:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: [contacts, deals]}
    backup: {enabled: true, retention_days: 30}
`);
      const a = await runScript('backup', ['--config', cfg, '--label', 'v1.0'], { env });
      assert.equal(a.code, 0, a.stderr);
      first = a.stdout.trim().split('\n');
      await new Promise((r) => setTimeout(r, 1100));
      const b = await runScript('backup', ['--config', cfg], { env });
      assert.equal(b.code, 0, b.stderr);
      second = b.stdout.trim().split('\n');
    });
    after(async () => {
      await pg?.remove();
      await tmp?.cleanup();
    });

    it('lists a mixed directory: sets, latest marked, and every problem flagged', async () => {
      await fs.writeFile(path.join(dir(), 'contacts_20200101_000000.dump'), 'no manifest');
      await fs.writeFile(path.join(dir(), '.deals_20200101_000000.dump.partial'), 'left over');
      await fs.symlink('deals_20190101_000000.dump', path.join(dir(), 'gone_latest.dump'));
      const r = await runScript('list-backups', ['--config', cfg], { env });
      assert.equal(r.code, 0, r.stderr);
      const ts = (p: string) => /_(\d{8}_\d{6})\.dump$/.exec(p)![1]!;
      const rows = r.stdout.split('\n');
      const newest = rows.find((l) => l.includes(ts(second[0]!)))!;
      const oldest = rows.find((l) => l.includes(ts(first[0]!)))!;
      assert.match(newest, /\*/, 'the latest set is marked');
      assert.doesNotMatch(oldest, /\*/);
      assert.match(oldest, /manual.*v1\.0.*never/);
      assert.match(r.stdout, /contacts.*deals/, 'one size column per database');
      assert.match(r.stdout, /file-without-manifest: \S+contacts_20200101_000000\.dump/);
      assert.match(r.stdout, /leftover-temporary-file: \S+\.deals_20200101_000000\.dump\.partial/);
      assert.match(r.stdout, /dangling-latest: \S+gone_latest\.dump: points at deals_20190101_000000\.dump/);
      assert.match(r.stdout, /4 backup files in 2 sets/);
      assert.ok(r.stdout.includes(`make db-restore CONFIG=${cfg} BACKUP=latest`), r.stdout);
      assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');
    });

    it('prints only JSON with --json, one object per backup file, every documented field', async () => {
      const r = await runScript('list-backups', ['--config', cfg, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      const entries = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      assert.equal(entries.length, 4);
      for (const e of entries) assert.deepEqual(Object.keys(e).sort(), [...ENTRY_FIELDS].sort());
      const newest = entries.find((e) => e.path === second[0])!;
      const m = JSON.parse(await fs.readFile(`${second[0]}.json`, 'utf8')) as Manifest;
      assert.deepEqual(newest, {
        project: 'crm', env: 'production', database: 'contacts', timestamp: m.timestamp, path: second[0], size: m.size, sha256: m.sha256,
        format: 'custom', reason: 'manual', label: null, created: m.finished_at, latest: true, verified: null, problem: null, offsite: null,
      });
      assert.equal(entries.find((e) => e.path === first[0])!.label, 'v1.0');
      assert.equal(entries.find((e) => e.path === first[0])!.latest, false);
    });

    for (const target of ['same-container', 'scratch']) {
      it(`verifies the latest set in ${target} mode, records it, and leaves nothing behind`, async () => {
        const scratchBefore = await scratchIds();
        const r = await runScript('verify', ['--config', cfg, '--target', target], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /contacts_\d{8}_\d{6}\.dump.*2.*5,001.*ok \(exact counts\)/);
        for (const p of second) {
          const v = (JSON.parse(await fs.readFile(`${p}.json`, 'utf8')) as Manifest).verified!;
          assert.equal(v.ok, true);
          assert.equal(v.tables, 2);
          assert.equal(v.rows, 5001);
          assert.match(v.target!, target === 'scratch' ? /^scratch:/ : /^same-container:/);
        }
        assert.deepEqual((await databases(pg)).filter((d) => d.includes('__verify_')), []);
        assert.deepEqual(await newScratch(scratchBefore), []);
      });
    }

    it('shows the verified status in list-backups and its JSON', async () => {
      // Its own verify: this test must not depend on an earlier one having run.
      assert.equal((await runScript('verify', ['--config', cfg, '--target', 'same-container'], { env })).code, 0);
      const r = await runScript('list-backups', ['--config', cfg, '--json'], { env });
      const newest = (JSON.parse(r.stdout) as Array<{ path: string; verified: { ok: boolean; at: string } | null }>).find((e) => e.path === second[0])!;
      assert.equal(newest.verified?.ok, true);
      const t = await runScript('list-backups', ['--config', cfg], { env });
      assert.match(t.stdout.split('\n').find((l) => l.includes(/_(\d{8}_\d{6})\./.exec(second[0]!)![1]!))!, /ok at \d{4}-\d{2}-\d{2}/);
    });

    it('fails and names the table when the manifest\'s row count differs', async (t) => {
      const file = first[1]!;
      const saved = await fs.readFile(`${file}.json`, 'utf8');
      t.after(() => fs.writeFile(`${file}.json`, saved)); // later tests get the backup as before() made it
      const m = JSON.parse(saved) as Manifest;
      m.tables = m.tables.map((t) => (t.name === 't' ? { ...t, rows: 4999 } : t));
      await fs.writeFile(`${file}.json`, JSON.stringify(m));
      const r = await runScript('verify', ['--config', cfg, '--backup', /_(\d{8}_\d{6})\./.exec(file)![1]!, '--db', 'deals'], { env });
      assert.equal(r.code, 1, r.stderr);
      const flat = r.stdout.replace(/[│\s]+/g, ' ');
      assert.match(flat, /FAILED: the restored copy does not match the backup: table public\.t has 5000 rows, the backup recorded 4999/);
      assert.equal((JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as Manifest).verified?.ok, false);
      const l = await runScript('list-backups', ['--config', cfg], { env });
      assert.match(l.stdout, /FAILED/);
    });

    it('fails on a truncated file', async (t) => {
      const file = first[0]!;
      const saved = await fs.readFile(file);
      const manifest = await fs.readFile(`${file}.json`, 'utf8');
      t.after(async () => {
        await fs.writeFile(file, saved);
        await fs.writeFile(`${file}.json`, manifest);
      });
      await fs.truncate(file, 100);
      const r = await runScript('verify', ['--config', cfg, '--all', '--db', 'contacts'], { env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout.replace(/[│\s]+/g, ' '), /FAILED: it is 100 bytes, the manifest says \d+/);
      assert.match(r.stdout, new RegExp(`${path.basename(second[0]!)}.*ok`), 'the intact one still passes');
    });

    it('dry run prints what would be verified and does nothing', async () => {
      const before = await fs.readFile(`${second[0]}.json`, 'utf8');
      const r = await runScript('verify', ['--config', cfg, '--dry-run', '--all'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /would verify:/);
      assert.equal(r.stdout.match(/\.dump  \(/g)?.length, 4);
      assert.equal(await fs.readFile(`${second[0]}.json`, 'utf8'), before);
    });

    for (const target of ['same-container', 'scratch']) {
      it(`SIGTERM during verify (${target}) removes the temporary database and the scratch container`, async () => {
        const scratchBefore = await scratchIds();
        let sent = false;
        const r = await runScript('verify', ['--config', cfg, '--target', target], {
          env,
          onSpawn: (child) =>
            child.stderr!.on('data', (d: Buffer) => {
              if (!sent && /Restoring into \w+__verify_/.test(d.toString())) {
                sent = true;
                child.kill('SIGTERM');
              }
            }),
        });
        assert.ok(sent, r.stderr);
        assert.equal(r.code, 143, r.stderr);
        assert.deepEqual((await databases(pg)).filter((d) => d.includes('__verify_')), []);
        assert.deepEqual(await newScratch(scratchBefore), []);
      });
    }
  });
}
