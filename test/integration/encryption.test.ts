// Backups encrypted with age (Debian's age binary) against real PostgreSQL on Docker and Podman:
// nothing readable on disk, a round trip that brings every row back, verify in both modes, and
// a wrong or missing identity refused before any database is touched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { createRichDatabase, databases, tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const MARKER = 'pgkeep-plaintext-marker-5f1c9e';

/** A fresh age identity in `dir`; returns its file and its public recipient. */
function keygen(dir: string, name: string): { identity: string; recipient: string } {
  const identity = path.join(dir, name);
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
  return { identity, recipient: execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim() };
}

for (const engine of testEngines()) {
  describe(`age encryption on ${engine.name}`, () => {
    let pg: PgContainer;
    const env = { DOCKER_HOST: engine.socket };
    let n = 0;

    before(async () => {
      pg = await startPostgres(engine, 15);
    });
    after(async () => {
      await pg?.remove();
    });

    /** Its own database (seeded with the marker), backup dir, identities and config, per test. */
    async function fixture(opts: { format?: 'custom' | 'plain'; identity?: 'right' | 'wrong' | 'missing' | 'none' } = {}) {
      const tmp = await tempDir();
      const db = `enc${++n}_${engine.name}`;
      await createRichDatabase(pg, db, 'postgres', 20_000);
      await pg.sql(db, `CREATE TABLE public.secrets (id int PRIMARY KEY, note text); INSERT INTO secrets VALUES (1, '${MARKER}')`);
      const right = keygen(tmp.dir, 'identity.txt');
      const wrong = keygen(tmp.dir, 'other-identity.txt');
      const config = (identity: string | undefined) => writeConfig(tmp.dir, `
shop:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: ${db}}
    format: ${opts.format ?? 'custom'}
    backup_dir: ./backups
    encryption:
      recipients: [${right.recipient}]
${identity ? `      identity_file: ${identity}\n` : ''}    backup: {retention_days: 30}
`);
      const cfg = await config(right.identity);
      const dir = path.join(tmp.dir, 'backups', 'shop', 'production');
      const run = (script: string, ...args: string[]) => runScript(script, ['--config', cfg, ...args], { env });
      const reconfigure = async (which: 'right' | 'wrong' | 'missing' | 'none') =>
        config({ right: right.identity, wrong: wrong.identity, missing: path.join(tmp.dir, 'no-such-identity.txt'), none: undefined }[which]);
      return { tmp, db, dir, run, reconfigure, cleanup: async () => {
        await pg.sql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
        await tmp.cleanup();
      } };
    }

    async function backup(f: Awaited<ReturnType<typeof fixture>>): Promise<{ file: string; manifest: Manifest }> {
      const r = await f.run('backup');
      assert.equal(r.code, 0, r.stderr);
      const file = r.stdout.trim().split('\n')[0]!;
      return { file, manifest: JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as Manifest };
    }

    it('stores only ciphertext, records both checksums, and a restore-then-swap brings every row back', async () => {
      const f = await fixture();
      try {
        const original = await tableHashes(pg, f.db);
        const { file, manifest } = await backup(f);
        assert.match(path.basename(file), new RegExp(`^${f.db}_\\d{8}_\\d{6}\\.dump\\.age$`));
        assert.equal(await fs.readlink(path.join(f.dir, `${f.db}_latest.dump.age`)), path.basename(file));
        const stored = await fs.readFile(file);
        assert.equal(stored.subarray(0, 22).toString(), 'age-encryption.org/v1\n');
        assert.equal(stored.includes(MARKER), false, 'the marker is not readable in the stored file');
        assert.equal(stored.includes('PGDMP'), false);
        assert.equal(manifest.size, stored.length);
        assert.match(manifest.sha256, /^[0-9a-f]{64}$/);
        assert.match(manifest.plaintext!.sha256, /^[0-9a-f]{64}$/);
        assert.notEqual(manifest.plaintext!.sha256, manifest.sha256);
        assert.deepEqual(manifest.encryption, { method: 'age', recipients: manifest.encryption!.recipients });
        assert.equal(manifest.encryption!.recipients.length, 1);
        await pg.sql(f.db, `UPDATE secrets SET note = 'changed'; DELETE FROM shop.orders WHERE id < 100`);
        const r = await f.run('restore', '--backup', 'latest', '--yes');
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await tableHashes(pg, f.db), original);
        assert.deepEqual((await databases(pg)).filter((d) => d.includes('__restore_')), []);
      } finally {
        await f.cleanup();
      }
    });

    for (const target of ['same-container', 'scratch']) {
      it(`verify --target ${target} decrypts in the stream and passes`, async () => {
        const f = await fixture();
        try {
          const { file } = await backup(f);
          const r = await f.run('verify', '--target', target);
          assert.equal(r.code, 0, r.stderr);
          const m = JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as Manifest;
          assert.equal(m.verified?.ok, true);
          assert.deepEqual((await databases(pg)).filter((d) => d.includes('__verify_')), []);
        } finally {
          await f.cleanup();
        }
      });
    }

    it('refuses a wrong identity before touching anything: no safety backup, no temporary database', async () => {
      const f = await fixture();
      try {
        const { file } = await backup(f);
        await pg.sql(f.db, `UPDATE secrets SET note = 'live'`);
        const live = await tableHashes(pg, f.db);
        const before = await databases(pg);
        const files = await fs.readdir(f.dir);
        await f.reconfigure('wrong');
        const r = await f.run('restore', '--backup', 'latest', '--yes');
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`cannot decrypt ${file.replaceAll('.', '\\.')} with the age identity \\S+other-identity\\.txt: no identity matched`));
        assert.deepEqual(await tableHashes(pg, f.db), live);
        assert.deepEqual(await databases(pg), before);
        assert.deepEqual(await fs.readdir(f.dir), files, 'no safety backup was taken');
        const v = await f.run('verify');
        assert.equal(v.code, 1);
        assert.match(v.stderr, /cannot decrypt/);
        assert.deepEqual(await databases(pg), before, 'no temporary database either');
      } finally {
        await f.cleanup();
      }
    });

    it('refuses a missing identity file, and a config with no identity, naming what to set', async () => {
      const f = await fixture();
      try {
        const { file } = await backup(f);
        const before = await databases(pg);
        await f.reconfigure('missing');
        const r = await f.run('restore', '--backup', 'latest', '--yes');
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /the age identity file \S+no-such-identity\.txt \(encryption\.identity_file\) cannot be read \(ENOENT\)/);
        await f.reconfigure('none');
        const none = await f.run('restore', '--backup', 'latest', '--yes');
        assert.equal(none.code, 1, none.stderr);
        assert.ok(none.stderr.includes(`${file} is encrypted with age, and no identity is configured`), none.stderr);
        assert.match(none.stderr, /encryption\.identity_file/);
        assert.deepEqual(await databases(pg), before);
      } finally {
        await f.cleanup();
      }
    });

    it('list-backups, --check and prune need no identity', async () => {
      const f = await fixture();
      try {
        const { file, manifest } = await backup(f);
        await f.reconfigure('none');
        const list = await f.run('list-backups', '--check', '--json');
        assert.equal(list.code, 0, list.stderr);
        const entries = JSON.parse(list.stdout) as Array<{ path: string; sha256: string; problem: unknown }>;
        assert.deepEqual(entries.map((e) => [e.path, e.sha256, e.problem]), [[file, manifest.sha256, null]]);
        const prune = await f.run('prune', '--dry-run');
        assert.equal(prune.code, 0, prune.stderr);
        // A flipped byte is found from the stored bytes alone.
        const bytes = await fs.readFile(file);
        bytes[bytes.length - 1]! ^= 1;
        await fs.writeFile(file, bytes);
        const broken = JSON.parse((await f.run('list-backups', '--check', '--json')).stdout) as Array<{ problem: { kind: string } | null }>;
        assert.equal(broken[0]!.problem?.kind, 'checksum-mismatch');
      } finally {
        await f.cleanup();
      }
    });

    it('a plain-format encrypted backup (.sql.gz.age) round-trips', async () => {
      const f = await fixture({ format: 'plain' });
      try {
        const original = await tableHashes(pg, f.db);
        const { file, manifest } = await backup(f);
        assert.match(file, /\.sql\.gz\.age$/);
        assert.equal((await fs.readFile(file)).includes(MARKER), false);
        assert.equal(manifest.format, 'plain');
        assert.ok(manifest.plaintext && manifest.plaintext.size > 0);
        await pg.sql(f.db, `DELETE FROM secrets`);
        const r = await f.run('restore', '--backup', 'latest', '--yes');
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await tableHashes(pg, f.db), original);
      } finally {
        await f.cleanup();
      }
    });
  });
}
