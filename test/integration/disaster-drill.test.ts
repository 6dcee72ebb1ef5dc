// The whole disaster, on real parts: a scheduled backup with encryption, offsite copies and roles;
// then the host is gone (the container removed, the backup directory deleted); then, with only the
// config, the bucket's credentials and the age identity, a restore onto a fresh server under the
// same name brings back every database, role, membership, owner and privilege, verified.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { offsiteYaml, s3Env, startS3Server, type S3Server } from '../support/s3-server.ts';
import { createRichDatabase, tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const DBS = ['drill_shop', 'drill_crm'];
const LOGIN = 'drill_app';
const GROUP = 'drill_readers';
/** Seeded into a table comment (a custom dump's TOC keeps comments uncompressed) and as a role comment. */
const MARKER = 'PLAINTEXT-MARKER-7f3a9c';

const ROLE_FACTS = `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil
  FROM pg_roles WHERE rolname IN ('${LOGIN}', '${GROUP}') ORDER BY 1`;
const MEMBERSHIPS = `SELECT r.rolname, m.rolname, a.admin_option FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  WHERE m.rolname IN ('${LOGIN}', '${GROUP}') ORDER BY 1, 2`;
const DATABASES = `SELECT datname, datdba::regrole, datacl, pg_encoding_to_char(encoding) FROM pg_database WHERE datname LIKE 'drill\\_%' ORDER BY 1`;
const OBJECTS = `SELECT n.nspname, n.nspowner::regrole, n.nspacl, c.relname, c.relkind, c.relowner::regrole, c.relacl
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('shop', 'audit', 'public') AND c.relkind IN ('r', 'v', 'S') ORDER BY 1, 4`;

/** A fresh age identity in `dir`: its file and its public recipient. */
function keygen(dir: string): { identity: string; recipient: string } {
  const identity = path.join(dir, 'drill-identity.txt');
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
  return { identity, recipient: execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim() };
}

/** Every object in the bucket, key -> bytes. */
async function bucketObjects(s3: S3Server): Promise<Map<string, Buffer>> {
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey } });
  try {
    const out = new Map<string, Buffer>();
    const list = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    for (const o of list.Contents ?? []) {
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: o.Key! }));
      out.set(o.Key!, Buffer.from(await got.Body!.transformToByteArray()));
    }
    return out;
  } finally {
    client.destroy();
  }
}

for (const engine of testEngines()) {
  describe(`disaster drill on ${engine.name}`, () => {
    let s3: S3Server;
    before(async () => {
      s3 = await startS3Server();
    });
    after(async () => {
      await s3?.stop();
    });

    it('the host is gone: a fresh server under the same name gets every database, role, owner and privilege back from the bucket, verified', async () => {
      const tmp = await tempDir('pgkeep-drill-');
      let pg: PgContainer | undefined = await startPostgres(engine, 15, 'pgkeep-test-drill');
      const name = pg.name;
      try {
        // The server as it was: a login role in a group, two databases owned by it, a grant to the group.
        await pg.sql('postgres', `CREATE ROLE ${GROUP} NOLOGIN; CREATE ROLE ${LOGIN} LOGIN PASSWORD 'drill-pw-not-kept' CONNECTION LIMIT 7 CREATEDB;
          GRANT ${GROUP} TO ${LOGIN}; COMMENT ON ROLE ${GROUP} IS '${MARKER}'`);
        for (const db of DBS) {
          await createRichDatabase(pg, db, LOGIN, 500);
          await pg.sql(db, `
            DO $$ DECLARE t record; BEGIN
              FOR t IN SELECT format('%I.%I', schemaname, tablename) AS n FROM pg_tables WHERE schemaname IN ('shop', 'audit', 'public') LOOP
                EXECUTE 'ALTER TABLE ' || t.n || ' OWNER TO ${LOGIN}';
              END LOOP; END $$;
            ALTER VIEW shop.order_totals OWNER TO ${LOGIN};
            ALTER SCHEMA shop OWNER TO ${LOGIN}; ALTER SCHEMA audit OWNER TO ${LOGIN};
            GRANT USAGE ON SCHEMA shop TO ${GROUP}; GRANT SELECT ON shop.customers, shop.order_totals TO ${GROUP};
            COMMENT ON TABLE shop.customers IS '${MARKER}';
            REVOKE CONNECT ON DATABASE ${db} FROM PUBLIC; GRANT CONNECT ON DATABASE ${db} TO ${GROUP};`);
        }
        const before = {
          roles: await pg.sql('postgres', ROLE_FACTS),
          memberships: await pg.sql('postgres', MEMBERSHIPS),
          databases: await pg.sql('postgres', DATABASES),
          objects: Object.fromEntries(await Promise.all(DBS.map(async (db) => [db, await pg!.sql(db, OBJECTS)] as const))),
          content: Object.fromEntries(await Promise.all(DBS.map(async (db) => [db, await tableHashes(pg!, db)] as const))),
        };
        assert.match(before.objects.drill_shop!, new RegExp(`customers\\|r\\|${LOGIN}\\|\\{.*${GROUP}=r/${LOGIN}`));

        // What is kept off the host: the config, the bucket's credentials, the age identity.
        const { identity, recipient } = keygen(tmp.dir);
        const backupDir = path.join(tmp.dir, 'backups');
        const cfg = await writeConfig(tmp.dir, `
drill:
  database:
    container: ${name}
    user: postgres
    backup_dir: ${backupDir}
    databases: {production: [${DBS.join(', ')}]}
    encryption:
      recipients: [${recipient}]
      identity_file: ${identity}
    ${offsiteYaml(s3)}
`);
        const env = { DOCKER_HOST: engine.socket, ...s3Env(s3) };

        const b = await runScript('scheduled-backup', ['--config', cfg], { env });
        assert.equal(b.code, 0, b.stderr);
        const objects = await bucketObjects(s3);
        const keys = [...objects.keys()].sort();
        const ts = /drill_shop_(\d{8}_\d{6})\.dump\.age$/.exec(keys.find((k) => k.includes('drill_shop_')) ?? '')?.[1];
        assert.ok(ts, keys.join('\n'));
        const folder = 'pgkeep/drill/production/';
        for (const stored of [...DBS.map((db) => `${db}_${ts}.dump.age`), `globals_${ts}.sql.age`]) {
          assert.ok(keys.includes(folder + stored), `${stored} in ${keys.join(', ')}`);
          assert.ok(keys.includes(`${folder}${stored}.json`), `${stored}.json in ${keys.join(', ')}`);
        }
        for (const [key, bytes] of objects) {
          assert.ok(!bytes.includes(MARKER), `${key} holds the plaintext marker`);
          if (!key.endsWith('.json')) assert.ok(bytes.subarray(0, 22).toString() === 'age-encryption.org/v1\n', `${key} is not an age file`);
        }
        const rolesManifest = JSON.parse(objects.get(`${folder}globals_${ts}.sql.age.json`)!.toString()) as Record<string, unknown>;
        assert.deepEqual(rolesManifest.encryption, { method: 'age', recipients: [recipient] });
        assert.equal(rolesManifest.size, objects.get(`${folder}globals_${ts}.sql.age`)!.length);

        // The host is gone.
        await pg.remove();
        pg = undefined;
        await fs.rm(backupDir, { recursive: true, force: true });

        pg = await startPostgres(engine, 15, 'unused', { name });
        assert.equal(await pg.sql('postgres', `SELECT count(*) FROM pg_roles WHERE rolname IN ('${LOGIN}', '${GROUP}')`), '0');
        const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--from', 'offsite', '--globals', '--yes'], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`Downloading s3://${s3.bucket}/${folder}globals_${ts}\\.sql\\.age`));
        assert.match(r.stderr, /roles: 2 created, 0 already there/);
        assert.equal(r.stderr.match(/verified: \d+ tables?, \d+ rows?/g)?.length, DBS.length, r.stderr);

        const restored = {
          roles: await pg.sql('postgres', ROLE_FACTS),
          memberships: await pg.sql('postgres', MEMBERSHIPS),
          databases: await pg.sql('postgres', DATABASES),
          objects: Object.fromEntries(await Promise.all(DBS.map(async (db) => [db, await pg!.sql(db, OBJECTS)] as const))),
          content: Object.fromEntries(await Promise.all(DBS.map(async (db) => [db, await tableHashes(pg!, db)] as const))),
        };
        assert.deepEqual(restored, before);
        // Without globals_with_passwords the hashes were never saved: the login role needs a new password.
        assert.equal(await pg.sql('postgres', `SELECT count(*) FROM pg_authid WHERE rolname = '${LOGIN}' AND rolpassword IS NULL`), '1');
        const left = await fs.readdir(path.join(backupDir, 'drill', 'production')).catch(() => []);
        assert.deepEqual(left.filter((n) => n.startsWith('.') && n !== '.lock'), [], `left in backup_dir: ${left.join(', ')}`);
        assert.deepEqual(left.filter((n) => /\.(age|dump|sql)$/.test(n)), [], `left in backup_dir: ${left.join(', ')}`);
      } finally {
        await pg?.remove();
        await tmp.cleanup();
      }
    });
  });
}
