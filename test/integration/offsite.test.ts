// Offsite copies against a real S3-compatible server (an s3rver process on 127.0.0.1) and real
// PostgreSQL on Docker and Podman: upload and its check, multipart, FROM=offsite restore and verify
// with the local directory gone, offsite retention over aged copies, wrong credentials, secrets.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { offsiteClient, type OffsiteClient } from '../../lib/offsite/client.ts';
import { listKeys, listRemote } from '../../lib/offsite/remote-list.ts';
import type { OffsiteConfig } from '../../lib/config/types.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { offsiteYaml, s3Env, startS3Server, type S3Server } from '../support/s3-server.ts';
import { createRichDatabase, tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const MIB = 1024 * 1024;

/** Every readable argv on the host, one string per process. */
async function hostArgvs(): Promise<string> {
  const out: string[] = [];
  for (const pid of await fs.readdir('/proc')) {
    if (/^\d+$/.test(pid)) out.push((await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' '));
  }
  return out.join('\n');
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

for (const engine of testEngines()) {
  describe(`offsite copies on ${engine.name}`, () => {
    let s3: S3Server;
    let pg: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let client: OffsiteClient;
    let original: Record<string, string>;
    const dir = (root: string) => path.join(root, 'backups', 'shop', 'production');
    const cfgFor = (root: string, extra = '', retention = '') =>
      writeConfig(root, `
shop:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: rich}
    compression: 0
    backup_dir: ${path.join(root, 'backups')}
    backup: {enabled: true, retention_days: 30}
    ${offsiteYaml(s3, ['part_size_mb: 5', extra, retention].filter(Boolean).join(', '))}
`);
    const env = () => ({ DOCKER_HOST: engine.socket, ...s3Env(s3) });

    before(async () => {
      tmp = await tempDir('pgkeep-offsite-');
      [s3, pg] = await Promise.all([startS3Server(), startPostgres(engine, 15)]);
      await createRichDatabase(pg, 'rich');
      original = await tableHashes(pg, 'rich');
      const cfg: OffsiteConfig = { type: 's3', endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, prefix: 'pgkeep', forcePathStyle: true, credentials: { accessKeyEnv: 'A', secretKeyEnv: 'B' }, verify: 'readback', partSize: 5 * MIB, retention: {} };
      client = await offsiteClient(cfg, { A: s3.accessKey, B: s3.secretKey });
    });
    after(async () => {
      client?.s3.destroy();
      await Promise.all([pg?.remove(), s3?.stop()]);
      await tmp?.cleanup();
    });

    it('uploads a backup bigger than one part, checks it by reading it back, and records it in the manifest', async () => {
      const root = path.join(tmp.dir, 'upload');
      await fs.mkdir(root);
      const cfg = await cfgFor(root);
      const r = await runScript('backup', ['--config', cfg], { env: env() });
      assert.equal(r.code, 0, r.stderr);
      const file = r.stdout.trim();
      const m = JSON.parse(await fs.readFile(`${file}.json`, 'utf8'));
      assert.ok(m.size > 5 * MIB, `the dump is ${m.size} bytes: it must take more than one 5 MiB part`);
      assert.equal(m.offsite.url, `s3://${s3.bucket}/pgkeep/shop/production/${path.basename(file)}`);
      assert.equal(m.offsite.sha256, m.sha256);
      // s3rver returns no SHA-256 checksum: only a read-back proves the copy.
      assert.equal(m.offsite.checked_by, 'readback');
      assert.match(m.offsite.etag, /^[0-9a-f-]+$/);
      const remote = (await listRemote(client, 'shop', 'production')).find((b) => b.manifest.file === path.basename(file));
      assert.ok(remote, 'the manifest copy is in the bucket beside the file');
      assert.equal(remote.size, m.size);
      assert.equal(remote.manifest.sha256, m.sha256);
      assert.equal(remote.manifest.offsite, undefined, 'the copy is the manifest as uploaded');
      const list = await runScript('list-backups', ['--config', cfg, '--json'], { env: env() });
      assert.equal(list.code, 0, list.stderr);
      assert.equal(JSON.parse(list.stdout)[0].offsite.status, 'uploaded');
    });

    it('restores and verifies FROM=offsite after the local backup directory is deleted', async () => {
      const root = path.join(tmp.dir, 'from-offsite');
      await fs.mkdir(root);
      const cfg = await cfgFor(root);
      const b = await runScript('backup', ['--config', cfg], { env: env() });
      assert.equal(b.code, 0, b.stderr);
      await fs.rm(path.join(root, 'backups'), { recursive: true, force: true });
      const listed = await runScript('list-backups', ['--config', cfg, '--offsite', '--json'], { env: env() });
      assert.equal(listed.code, 0, listed.stderr);
      const copies = JSON.parse(listed.stdout) as Array<{ url: string; local: boolean }>;
      assert.ok(copies.length >= 1 && copies.every((e) => e.local === false), 'the bucket lists the copies whose local file is gone');
      const table = await runScript('list-backups', ['--config', cfg, '--offsite'], { env: env() });
      assert.match(table.stdout, /gone/);
      await pg.sql('rich', 'DELETE FROM shop.orders WHERE id < 1000; DROP TABLE audit.events_2026');
      const v = await runScript('verify', ['--config', cfg, '--from', 'offsite'], { env: env() });
      assert.equal(v.code, 0, v.stderr);
      const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--from', 'offsite', '--yes', '--no-safety-backup', '--drop-old'], { env: env() });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /sha256 matches the manifest/);
      assert.deepEqual(await tableHashes(pg, 'rich'), original);
      const left = (await fs.readdir(dir(root))).filter((n) => n.includes('.partial'));
      assert.deepEqual(left, [], 'no temporary download is left behind');
    });

    it('offsite retention removes aged copies by its own policy, never the newest, never another database', async () => {
      const root = path.join(tmp.dir, 'retention');
      await fs.mkdir(root);
      const aged = ['20250101_020000', '20250102_020000', '20250103_020000'];
      const put = (Key: string, Body: string) => client.s3.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body }));
      const manifest = (database: string, timestamp: string) => ({ manifest_version: 1, project: 'shop', env: 'production', database, timestamp, file: `${database}_${timestamp}.dump`, reason: 'scheduled', sha256: 'x'.repeat(64), size: 4, started_at: '2025-01-01T02:00:00Z', finished_at: '2025-01-01T02:00:00Z' });
      for (const db of ['rich', 'other']) {
        for (const ts of aged) {
          await put(`pgkeep/shop/production/${db}_${ts}.dump`, 'PGDM');
          await put(`pgkeep/shop/production/${db}_${ts}.dump.json`, JSON.stringify(manifest(db, ts)));
        }
      }
      // Roles files: those of the aged sets stay while "other" keeps a dump of their timestamp; the
      // one of a set whose only dump is pruned goes with it.
      const alone = '20241201_020000';
      await put(`pgkeep/shop/production/rich_${alone}.dump`, 'PGDM');
      await put(`pgkeep/shop/production/rich_${alone}.dump.json`, JSON.stringify(manifest('rich', alone)));
      const roles = (ts: string) => ({ manifest_version: 1, kind: 'globals', project: 'shop', env: 'production', container: 'c', timestamp: ts, file: `globals_${ts}.sql`, size: 4, sha256: 'y'.repeat(64), with_passwords: false, server_version: '15', pg_dumpall_version: '15', created: '2025-01-01T02:00:00Z' });
      for (const ts of [...aged, alone]) {
        await put(`pgkeep/shop/production/globals_${ts}.sql`, '--\n');
        await put(`pgkeep/shop/production/globals_${ts}.sql.json`, JSON.stringify(roles(ts)));
      }
      const planted = new Set([...aged, alone]);
      const rolesLeft = async () => [...(await listKeys(client, 'pgkeep/shop/production/')).keys()].map((k) => /\/globals_(\d{8}_\d{6})\.sql$/.exec(k)?.[1]).filter((ts) => ts && planted.has(ts)).sort();
      const cfg = await cfgFor(root, '', 'retention: {retention_days: 60}');
      // This case's own newest good copy, so it never leans on what another case uploaded.
      const b = await runScript('backup', ['--config', cfg], { env: env() });
      assert.equal(b.code, 0, b.stderr);
      const dry = await runScript('prune', ['--config', cfg, '--dry-run'], { env: env() });
      assert.equal(dry.code, 0, dry.stderr);
      for (const ts of aged) assert.match(dry.stdout, new RegExp(`\\(offsite\\).*rich_${ts}\\.dump.*would remove`), dry.stdout);
      assert.equal((await listRemote(client, 'shop', 'production')).filter((b) => aged.includes(b.manifest.timestamp)).length, 6, 'a dry run removes nothing');
      const r = await runScript('prune', ['--config', cfg], { env: env() });
      assert.equal(r.code, 0, r.stderr);
      const left = await listRemote(client, 'shop', 'production');
      assert.deepEqual(left.filter((b) => b.manifest.database === 'rich' && aged.includes(b.manifest.timestamp)), []);
      assert.equal(left.filter((b) => b.manifest.database === 'other').length, 3, 'a database outside the selection is never pruned');
      assert.ok(left.some((b) => b.manifest.database === 'rich'), 'the newest good copy stays');
      assert.deepEqual(await rolesLeft(), aged, `the roles file of ${alone} went with its last dump; the others stay with other's dumps`);
    });

    it('wrong credentials: the backup is kept and good, the run is partial, the message names bucket and endpoint and no secret; offsite-sync uploads it later', async () => {
      const root = path.join(tmp.dir, 'wrong');
      await fs.mkdir(root);
      const cfg = await cfgFor(root);
      const wrong = { ...env(), TEST_S3_ACCESS: 'AKWRONGWRONGWRONG', TEST_S3_SECRET: `${s3.secretKey}-wrong` };
      const r = await runScript('backup', ['--config', cfg], { env: wrong });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`bucket "${s3.bucket}" at ${s3.endpoint.replaceAll('.', '\\.')} refused the credentials \\(InvalidAccessKeyId\\)`));
      assert.doesNotMatch(r.stderr + r.stdout, /AKWRONGWRONGWRONG|-wrong/);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
      const file = r.stdout.trim();
      const m = JSON.parse(await fs.readFile(`${file}.json`, 'utf8'));
      assert.equal(m.offsite, undefined);
      assert.match(m.offsite_error.error, /refused the credentials/);
      assert.doesNotMatch(JSON.stringify(m), /AKWRONGWRONGWRONG|-wrong/);
      const list = await runScript('list-backups', ['--config', cfg], { env: env() });
      assert.match(list.stdout, /failed/);
      const sync = await runScript('offsite-sync', ['--config', cfg], { env: env() });
      assert.equal(sync.code, 0, sync.stderr);
      // The set's roles file was not uploaded either: it goes up with the dump.
      const ts = /_(\d{8}_\d{6})\.dump$/.exec(file)![1];
      const folder = `s3://${s3.bucket}/pgkeep/shop/production/`;
      assert.equal(sync.stdout.trim(), `${folder}${path.basename(file)}\n${folder}globals_${ts}.sql`);
      const after = JSON.parse(await fs.readFile(`${file}.json`, 'utf8'));
      assert.equal(after.offsite.sha256, after.sha256);
      assert.equal(after.offsite_error, undefined);
    });

    it('keeps the credentials out of every process\'s argv, the output, the manifests and the bucket', async () => {
      const root = path.join(tmp.dir, 'secrets');
      await fs.mkdir(root);
      const cfg = await cfgFor(root);
      let sampling = true;
      let samples = 0;
      let leaked = '';
      const sampler = (async () => {
        while (sampling) {
          const argv = await hostArgvs();
          samples++;
          for (const line of argv.split('\n')) if (line.includes(s3.secretKey) || line.includes(s3.accessKey)) leaked = line;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const r = await runScript('backup', ['--config', cfg, '--verbose'], { env: env() });
      sampling = false;
      await sampler;
      assert.equal(r.code, 0, r.stderr);
      assert.ok(samples >= 5, `only ${samples} argv samples were taken`);
      assert.equal(leaked, '', 'a credential appeared in a process argv');
      for (const secret of [s3.secretKey, s3.accessKey]) {
        assert.ok(!(r.stdout + r.stderr).includes(secret), 'a credential appeared in the output');
        for (const f of await filesUnder(path.join(root, 'backups'))) {
          if (f.endsWith('.json')) assert.ok(!(await fs.readFile(f, 'utf8')).includes(secret), `a credential appeared in ${f}`);
        }
        for (const f of (await filesUnder(s3.dataDir)).filter((x) => x.includes('.json'))) {
          assert.ok(!(await fs.readFile(f, 'utf8')).includes(secret), `a credential appeared in the bucket: ${f}`);
        }
      }
    });

    it('takes the keys from an aws-style credentials_file, with a named profile, and never from the environment', async () => {
      const root = path.join(tmp.dir, 'credentials-file');
      await fs.mkdir(root);
      const creds = path.join(root, 's3.ini');
      await fs.writeFile(creds, `[default]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n\n[profile backups]\naws_access_key_id = ${s3.accessKey}\naws_secret_access_key = ${s3.secretKey}\n`, { mode: 0o600 });
      const cfg = await writeConfig(root, `
shop:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: rich}
    backup_dir: ${path.join(root, 'backups')}
    backup: {enabled: true, retention_days: 30}
    offsite: {type: s3, endpoint: "${s3.endpoint}", region: us-east-1, bucket: ${s3.bucket}, prefix: creds-file, credentials_file: ./s3.ini, profile: backups, verify: readback}
`);
      // The variables the other cases use are unset here: the file alone must do.
      const r = await runScript('backup', ['--config', cfg], { env: { DOCKER_HOST: engine.socket, TEST_S3_ACCESS: undefined, TEST_S3_SECRET: undefined } });
      assert.equal(r.code, 0, r.stderr);
      const m = JSON.parse(await fs.readFile(`${r.stdout.trim()}.json`, 'utf8'));
      assert.equal(m.offsite?.url, `s3://${s3.bucket}/creds-file/shop/production/${path.basename(r.stdout.trim())}`);
      assert.ok(!(r.stdout + r.stderr).includes(s3.secretKey), 'the secret from the file appeared in the output');
    });
  });
}
