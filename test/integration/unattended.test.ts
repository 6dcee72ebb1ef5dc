// Unattended operation on real engines: scheduled runs with failures and alerts, locks, pre-deploy,
// metrics.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { acquireLock } from '../../lib/files/lock.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

interface Received {
  text: string;
  status: string;
  databases: Array<{ project: string; ok: boolean; error?: string }>;
}

for (const engine of testEngines()) {
  describe(`unattended operation on ${engine.name}`, () => {
    let pg: PgContainer;
    let stopped: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let server: http.Server;
    const received: Received[] = [];
    let url: string;
    const env = { DOCKER_HOST: engine.socket };

    before(async () => {
      tmp = await tempDir();
      [pg, stopped] = await Promise.all([startPostgres(engine, 15), startPostgres(engine, 15, 'pgkeep-stopped')]);
      await stopped.stop();
      for (const db of ['app', 'blog']) await pg.sql('postgres', `CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await pg.sql('app', 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 2000) g');
      server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          received.push(JSON.parse(body) as Received);
          res.end('ok');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    });
    after(async () => {
      server?.close();
      await Promise.all([pg?.remove(), stopped?.remove()]);
      await tmp?.cleanup();
    });

    const config = (extra = '') => `
defaults:
  notify: {webhook_url: "${url}", on: [failure]}
  metrics: {textfile: ./metrics/pgkeep.prom}
app:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: app}
    backup: {enabled: true, keep_last: 3}
blog:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: blog}
down:
  database:
    container: ${stopped.name}
    user: postgres
    databases: {production: down}
${extra}`;

    it('a scheduled run with a stopped container exits 3, summarises and posts to the webhook', async () => {
      const cfg = await writeConfig(tmp.dir, config());
      const r = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stdout, /app\/production\/app\s*│?\s*ok/);
      assert.match(r.stdout, /down\/production\/down\s*│?\s*FAILED.*is not running/);
      assert.match(r.stdout, /partial: 2 ok, 1 failed/);
      assert.match(r.stderr, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /m, 'cron-friendly timestamped lines');
      assert.match(r.stderr, /pruning skipped/);
      assert.equal(received.length, 1);
      assert.equal(received[0]!.status, 'partial');
      assert.match(received[0]!.text, /1 of 3 database backup\(s\) FAILED/);
      assert.deepEqual(received[0]!.databases.filter((d) => !d.ok).map((d) => d.project), ['down']);
    });

    it('runs the notify command with the result in its environment; a failing webhook never fails the run', async () => {
      const out = path.join(tmp.dir, 'notified.txt');
      const cfg = await writeConfig(tmp.dir, `
ok:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: app}
    notify:
      webhook_url: "http://127.0.0.1:9/unreachable"
      command: printf '%s %s' "$PGKEEP_STATUS" "$(printf '%s' "$PGKEEP_REPORT" | head -c 1)" > '${out}'
      on: [failure, success]
`);
      const r = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: notification webhook failed: .*the run's result is unaffected/);
      assert.equal(await fs.readFile(out, 'utf8'), 'success {');
    });

    it('writes metrics that parse as Prometheus text format', async () => {
      const text = await fs.readFile(path.join(tmp.dir, 'metrics', 'pgkeep.prom'), 'utf8');
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\} (-?[0-9.e+]+)$/;
      for (const line of text.trim().split('\n')) {
        if (line.startsWith('#')) assert.match(line, /^# (HELP|TYPE) pgkeep_\w+ .+$/);
        else assert.match(line, sample, line);
      }
      assert.match(text, /pgkeep_last_success_timestamp_seconds\{project="app",env="production",database="app"\} \d+/);
      assert.match(text, /pgkeep_last_size_bytes\{project="blog",env="production",database="blog"\} \d+/);
      assert.doesNotMatch(text, /database="down"/);
    });

    it('dry run lists what would be backed up and pruned, and changes nothing', async () => {
      const cfg = await writeConfig(tmp.dir, config());
      const dir = path.join(tmp.dir, 'backups', 'app', 'production');
      const before = (await fs.readdir(dir)).sort();
      const r = await runScript('scheduled-backup', ['--config', cfg, '--dry-run'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /would back up app\/production\/app from container/);
      assert.match(r.stdout, /the backup about to be taken.*keep.*last 1 of 3/);
      assert.match(r.stdout, /app_\d{8}_\d{6}\.dump.*keep.*last 2 of 3/);
      assert.deepEqual((await fs.readdir(dir)).sort(), before);
    });

    it('overlapping runs on one target: the second exits 4 naming the holder; other targets run', async () => {
      const cfg = await writeConfig(tmp.dir, config());
      const lock = await acquireLock(path.join(tmp.dir, 'backups', 'app', 'production'), 'app/production');
      try {
        const blocked = await runScript('backup', ['--config', cfg, '--project', 'app'], { env });
        assert.equal(blocked.code, 4, blocked.stderr);
        assert.match(blocked.stderr, new RegExp(`app/production is locked by another pgkeep run: PID ${process.pid} on \\S+, started \\S+Z, running "`));
        const other = await runScript('backup', ['--config', cfg, '--project', 'blog'], { env });
        assert.equal(other.code, 0, other.stderr);
        // Released once the run says it waits, not after a guessed delay: a slow start would miss it.
        let said = '';
        const onSpawn = (c: { stderr: NodeJS.ReadableStream | null }) =>
          c.stderr?.on('data', (d: Buffer) => {
            said += d.toString();
            if (/waiting for the lock/.test(said)) void lock.release();
          });
        const waited = runScript('backup', ['--config', cfg, '--project', 'app', '--lock-wait', '120'], { env, onSpawn });
        const w = await waited;
        assert.equal(w.code, 0, w.stderr);
        assert.match(w.stderr, /waiting for the lock on app\/production/);
      } finally {
        await lock.release();
      }
    });

    it('two real runs at once on the same target: one waits or exits 4, never both writing', async () => {
      const cfg = await writeConfig(tmp.dir, config());
      const [a, b] = await Promise.all([
        runScript('backup', ['--config', cfg, '--project', 'app'], { env }),
        runScript('backup', ['--config', cfg, '--project', 'app'], { env }),
      ]);
      assert.deepEqual([a.code, b.code].sort(), [0, 4], a.stderr + b.stderr);
    });

    it('a stale lock whose holder is gone is taken over with a warning', async () => {
      const cfg = await writeConfig(tmp.dir, config());
      const lock = path.join(tmp.dir, 'backups', 'app', 'production', '.pgkeep.lock');
      await fs.writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), started_at: '2026-01-01T00:00:00Z', command: 'crashed' }));
      const r = await runScript('backup', ['--config', cfg, '--project', 'app'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /taking over a stale lock on app\/production/);
      await assert.rejects(fs.access(lock), 'the lock is released on exit');
    });

    it('pre-deploy prints exactly the paths on stdout, logs the deployment, and BACKUP=pre-deploy finds it', async () => {
      const cfg = await writeConfig(tmp.dir, config());
      const r = await runScript('pre-deploy', ['--config', cfg, '--project', 'app', '--env', 'production', '--label', 'abc123'], { env });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^\/\S+\/app_\d{8}_\d{6}\.dump$/);
      assert.equal(JSON.parse(await fs.readFile(`${lines[0]}.json`, 'utf8')).label, 'abc123');
      const log = (await fs.readFile(path.join(tmp.dir, 'backups', 'app', 'production', 'deployments.jsonl'), 'utf8')).trim().split('\n');
      const rec = JSON.parse(log.at(-1)!);
      assert.deepEqual([rec.label, rec.backups, rec.host], ['abc123', lines, os.hostname()]);
      const d = await runScript('deployments', ['--config', cfg, '--project', 'app'], { env });
      assert.match(d.stdout, /abc123/);
      const restore = await runScript('restore', ['--config', cfg, '--project', 'app', '--backup', 'pre-deploy', '--label', 'abc123', '--yes'], { env });
      assert.equal(restore.code, 0, restore.stderr);
      assert.match(restore.stdout, new RegExp(`holds backup ${/_(\d{8}_\d{6})\.dump$/.exec(lines[0]!)![1]}`));
    });

    it('pre-deploy exits non-zero and prints no path when the backup fails', async () => {
      const cfg = await writeConfig(tmp.dir, config());
      const r = await runScript('pre-deploy', ['--config', cfg, '--project', 'down', '--env', 'production'], { env });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
    });

    it('prune removes by keep_last, with a dry run first, and says why', async () => {
      const cfg = await writeConfig(tmp.dir, config());
      const dir = path.join(tmp.dir, 'backups', 'app', 'production');
      const count = async () => (await fs.readdir(dir)).filter((n) => /^app_\d{8}_\d{6}\.dump$/.test(n)).length;
      const before = await count();
      assert.ok(before > 3, `enough backups to prune (${before})`);
      const dry = await runScript('prune', ['--config', cfg, '--project', 'app', '--dry-run'], { env });
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /would remove.*kept by no rule/);
      assert.equal(await count(), before);
      const r = await runScript('prune', ['--config', cfg, '--project', 'app'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.ok((await count()) < before);
      assert.ok((await count()) >= 3);
    });
  });
}
