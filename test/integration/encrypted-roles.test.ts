// The roles file under encryption: stored as globals_<ts>.sql.age with its plaintext recorded,
// listed, checked and pruned without the identity, and refused with a wrong identity before the
// restore touches anything. One source server per engine; each case has its own directory.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GlobalsManifest } from '../../lib/globals/globals-manifest.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

function keygen(dir: string, name: string): { identity: string; recipient: string } {
  const identity = path.join(dir, name);
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
  return { identity, recipient: execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim() };
}

for (const engine of testEngines()) {
  describe(`encrypted roles file on ${engine.name}`, () => {
    let pg: PgContainer;
    const env = { DOCKER_HOST: engine.socket };
    before(async () => {
      pg = await startPostgres(engine, 15, 'pgkeep-test-encroles');
      await pg.sql('postgres', "CREATE ROLE enc_secret_owner LOGIN PASSWORD 'enc-pw'");
      await pg.sql('postgres', "CREATE DATABASE encdb OWNER enc_secret_owner TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
      await pg.sql('encdb', 'CREATE TABLE t (id int); ALTER TABLE t OWNER TO enc_secret_owner; INSERT INTO t VALUES (1), (2)');
    });
    after(async () => {
      await pg?.remove();
    });

    it('is stored as .sql.age (no plaintext, plaintext sha256 in the manifest); list --check and prune need no identity; a wrong identity is refused before anything is touched', async () => {
      const tmp = await tempDir();
      const target = await startPostgres(engine, 15, 'pgkeep-test-encroles-bare');
      try {
        const right = keygen(tmp.dir, 'right.txt');
        const wrong = keygen(tmp.dir, 'wrong.txt');
        const config = (identity?: string) => writeConfig(tmp.dir, `
enc:
  database:
    container: ${pg.name}
    user: postgres
    backup_dir: ${tmp.dir}/backups
    databases: {production: encdb}
    globals_with_passwords: true
    encryption:
      recipients: [${right.recipient}]
${identity ? `      identity_file: ${identity}\n` : ''}    backup: {keep_last: 1}
`);
        let cfg = await config();
        const b = await runScript('backup', ['--config', cfg], { env });
        assert.equal(b.code, 0, b.stderr);
        const ts = /encdb_(\d{8}_\d{6})\.dump\.age/.exec(b.stdout)![1]!;
        const dir = path.join(tmp.dir, 'backups', 'enc', 'production');
        const file = path.join(dir, `globals_${ts}.sql.age`);
        const bytes = await fs.readFile(file);
        assert.equal(bytes.subarray(0, 22).toString(), 'age-encryption.org/v1\n');
        assert.ok(!bytes.includes('enc_secret_owner') && !bytes.includes('SCRAM-SHA-256'), 'the roles file holds plaintext');
        assert.deepEqual((await fs.readdir(dir)).filter((n) => n.startsWith('globals_')).sort(), [`globals_${ts}.sql.age`, `globals_${ts}.sql.age.json`]);
        const m = JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as GlobalsManifest;
        assert.deepEqual([m.file, m.size, m.with_passwords, m.encryption], [`globals_${ts}.sql.age`, bytes.length, true, { method: 'age', recipients: [right.recipient] }]);
        assert.match(m.plaintext!.sha256, /^[0-9a-f]{64}$/);
        assert.ok(m.plaintext!.size > 0 && m.plaintext!.size !== m.size);

        // No identity configured: listing and checking work; the roles file is counted.
        const list = await runScript('list-backups', ['--config', cfg, '--check'], { env });
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /roles saved with 1 of 1 set/);

        // A wrong identity: refused naming it, before the prompt; no role, no database created.
        cfg = await config(wrong.identity);
        const r = await runScript('restore', ['--config', cfg, '--backup', ts, '--container', target.name, '--globals', '--yes'], { env });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /cannot decrypt \S+\.dump\.age with the age identity \S+wrong\.txt/);
        assert.equal(await target.sql('postgres', "SELECT count(*) FROM pg_roles WHERE rolname = 'enc_secret_owner'"), '0');
        assert.equal(await target.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'encdb%'"), '0');

        // The right one: the roles (with their hashes) and the database come back.
        cfg = await config(right.identity);
        const ok = await runScript('restore', ['--config', cfg, '--backup', ts, '--container', target.name, '--globals', '--yes'], { env });
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(await target.sql('postgres', "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'enc_secret_owner'"), 't');
        assert.equal(await target.sql('encdb', "SELECT tableowner FROM pg_tables WHERE tablename = 't'"), 'enc_secret_owner');
        assert.equal(await target.sql('postgres', "SELECT datdba::regrole FROM pg_database WHERE datname = 'encdb'"), 'enc_secret_owner');

        // keep_last: 1 and a second set: prune removes the first set's roles file with its dump, without the identity.
        cfg = await config();
        const b2 = await runScript('backup', ['--config', cfg], { env });
        assert.equal(b2.code, 0, b2.stderr);
        const p = await runScript('prune', ['--config', cfg], { env });
        assert.equal(p.code, 0, p.stderr);
        const left = (await fs.readdir(dir)).filter((n) => n.startsWith('globals_'));
        assert.equal(left.length, 2, left.join(', '));
        assert.ok(!left.some((n) => n.includes(ts)), left.join(', '));
      } finally {
        await target.remove();
        await tmp.cleanup();
      }
    });
  });
}
