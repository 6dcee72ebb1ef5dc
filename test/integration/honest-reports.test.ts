// Reports machines can trust, on real engines: every failed scheduled run notifies and updates the
// metrics, a failed verify does too, `list-backups --check` exits 1 on a mismatch and says which
// file in its JSON, and a dead webhook or the notify command is logged with its cause, no secret.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { acquireLock } from '../../lib/files/lock.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';
import { startWebhook } from '../support/webhook.ts';

/** A port nothing listens on (and not one fetch refuses outright, as it does port 9). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Received {
  command: string;
  text: string;
  status: string;
}

for (const engine of testEngines()) {
  describe(`honest reports on ${engine.name}`, () => {
    let pg: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let server: http.Server;
    let received: Received[] = [];
    let url: string;
    const env = { DOCKER_HOST: engine.socket };
    const metricsFile = () => path.join(tmp.dir, 'metrics', 'pgkeep.prom');
    const metric = async (name: string, labels: string) => {
      const text = await fs.readFile(metricsFile(), 'utf8');
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
      return line ? Number(line.split(' ').at(-1)) : undefined;
    };
    const config = (body: string) => writeConfig(tmp.dir, `
defaults:
  notify: {webhook_url: "${url}", on: [failure]}
  metrics: {textfile: ./metrics/pgkeep.prom}
${body}`);
    const project = (name = 'app', db = 'app') => `
${name}:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: ${db}}
    backup: {enabled: true, retention_days: 30}
`;

    before(async () => {
      tmp = await tempDir();
      pg = await startPostgres(engine, 15);
      await pg.sql('postgres', `CREATE DATABASE app TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await pg.sql('app', 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 2000) g');
      ({ server, url } = await startWebhook<Received>((body) => received.push(body)));
    });
    after(async () => {
      server?.close();
      await pg?.remove();
      await tmp?.cleanup();
    });

    it('a scheduled run whose every target is locked notifies and writes the failed run to the metrics', async () => {
      received = [];
      const cfg = await config(project());
      const lock = await acquireLock(path.join(tmp.dir, 'backups', 'app', 'production'), 'app/production');
      try {
        const r = await runScript('scheduled-backup', ['--config', cfg], { env });
        assert.equal(r.code, 4, r.stderr);
      } finally {
        await lock.release();
      }
      assert.equal(received.length, 1, 'one notification');
      assert.equal(received[0]!.status, 'failure');
      assert.match(received[0]!.text, /locked/);
      assert.equal(await metric('pgkeep_last_run_success', 'command="scheduled-backup"'), 0);
      assert.ok((await metric('pgkeep_last_run_timestamp_seconds', 'command="scheduled-backup"'))! > Date.now() / 1000 - 60);
    });

    it('a scheduled run with a config error notifies through the readable notify block and writes the metrics', async () => {
      received = [];
      await fs.rm(metricsFile(), { force: true });
      const cfg = await config(project().replace('retention_days: 30', 'retention_dayz: 30'));
      const r = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /retention_dayz/);
      assert.equal(received.length, 1, 'one notification');
      assert.equal(received[0]!.status, 'failure');
      assert.match(received[0]!.text, /retention_dayz/);
      assert.equal(await metric('pgkeep_last_run_success', 'command="scheduled-backup"'), 0);
    });

    it('a scheduled run with no engine behind the socket notifies; a dead webhook names its host and cause, never its path', async () => {
      received = [];
      const out = path.join(tmp.dir, 'notified.txt');
      const dead = await closedPort();
      const cfg = await writeConfig(tmp.dir, `
defaults:
  metrics: {textfile: ./metrics/pgkeep.prom}
app:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: app}
    notify:
      webhook_url: "http://127.0.0.1:${dead}/hooks/s3cr3t-token?key=hunter2"
      command: printf '%s' "$PGKEEP_STATUS" > '${out}'
      on: [failure]
`);
      const r = await runScript('scheduled-backup', ['--config', cfg], { env: { DOCKER_HOST: `unix://${tmp.dir}/no-engine.sock` } });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`notification webhook to http://127\\.0\\.0\\.1:${dead} failed: .*ECONNREFUSED`));
      assert.match(r.stderr, /ran the notification command/);
      assert.doesNotMatch(r.stderr, /s3cr3t|hunter2/);
      assert.equal(await fs.readFile(out, 'utf8'), 'failure');
      assert.equal(await metric('pgkeep_last_run_success', 'command="scheduled-backup"'), 0);
    });

    it('list-backups --check exits 1 on a checksum mismatch and names the problem in its JSON', async () => {
      const cfg = await config(project('listed'));
      const b = await runScript('backup', ['--config', cfg], { env });
      assert.equal(b.code, 0, b.stderr);
      const file = b.stdout.trim();
      const clean = await runScript('list-backups', ['--config', cfg, '--check', '--json'], { env });
      assert.equal(clean.code, 0, clean.stderr);
      for (const e of JSON.parse(clean.stdout) as Array<{ problem: unknown }>) assert.equal(e.problem, null);
      const bytes = await fs.readFile(file);
      bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
      await fs.writeFile(file, bytes);
      const r = await runScript('list-backups', ['--config', cfg, '--check', '--json'], { env });
      assert.equal(r.code, 1, r.stderr);
      const entry = (JSON.parse(r.stdout) as Array<{ path: string; problem: { kind: string; detail: string } | null }>).find((e) => e.path === file);
      assert.equal(entry?.problem?.kind, 'checksum-mismatch');
      const table = await runScript('list-backups', ['--config', cfg, '--check'], { env });
      assert.equal(table.code, 1, table.stderr);
      assert.match(table.stderr, /checksum/);
    });

    it('a failed verify notifies and turns pgkeep_last_verify_success to 0 at once', async () => {
      const cfg = await config(project());
      const a = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(a.code, 0, a.stderr);
      const ok = await runScript('verify', ['--config', cfg], { env });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(await metric('pgkeep_last_verify_success', 'database="app"'), 1);
      await new Promise((r) => setTimeout(r, 1100));
      const b = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(b.code, 0, b.stderr);
      const file = (await fs.readdir(path.join(tmp.dir, 'backups', 'app', 'production'))).filter((n) => /^app_\d{8}_\d{6}\.dump$/.test(n)).sort().at(-1)!;
      const full = path.join(tmp.dir, 'backups', 'app', 'production', file);
      const bytes = await fs.readFile(full);
      bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
      await fs.writeFile(full, bytes);
      received = [];
      const r = await runScript('verify', ['--config', cfg], { env });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(await metric('pgkeep_last_verify_success', 'database="app"'), 0);
      assert.equal(await metric('pgkeep_last_run_success', 'command="verify"'), 0);
      assert.equal(received.length, 1, 'one notification');
      assert.equal(received[0]!.command, 'verify');
      assert.equal(received[0]!.status, 'failure');
      assert.match(received[0]!.text, /FAILED/);
    });
  });
}
