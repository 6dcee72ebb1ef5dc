// A password from password_env or password_file reaches pg_dump only through the exec's environment:
// it never shows in a host process's argv, in an exec's command (exec inspect), in pgkeep's output,
// errors, manifests, notifications or metrics. The role needs it (scram on the local socket), so a
// wrong one fails: the password really is used.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { writeConfig } from '../support/tempdir.ts';
import { createBigDatabase, makeBed, startScript, type Bed } from './support.ts';

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const WRONG = `pw-${randomBytes(12).toString('hex')}`;

/** Every readable argv on the host, as one string per process. */
async function hostArgvs(): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const argv = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (argv) out.push(argv.replace(/\0/g, ' '));
  }
  return out;
}

for (const engine of testEngines()) {
  describe(`secrets on ${engine.name}`, () => {
    let bed: Bed;
    let hook: http.Server;
    const posts: string[] = [];
    before(async () => {
      bed = await makeBed(engine, { databases: ['big'] });
      await createBigDatabase(bed.pg, 'big', 400_000);
      await bed.pg.sql('postgres', `SET password_encryption = 'scram-sha-256'; CREATE ROLE app LOGIN PASSWORD '${PASSWORD}'; ALTER DATABASE big OWNER TO app; GRANT pg_read_all_data TO app`);
      // Password authentication for app on the local socket, which is how pgkeep connects.
      const hba = await bed.pg.runtime.exec(bed.pg.name, ['sh', '-c', `sed -i '1i local all app scram-sha-256' "$PGDATA/pg_hba.conf"`]);
      assert.equal(hba.exitCode, 0, hba.stderr);
      await bed.pg.sql('postgres', 'SELECT pg_reload_conf()');
      hook = http.createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          posts.push(`${req.url} ${JSON.stringify(req.headers)} ${body}`);
          res.end('ok');
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    });
    after(async () => {
      hook?.close();
      await bed?.cleanup();
    });

    const config = (how: 'env' | 'file') => {
      const port = (hook.address() as AddressInfo).port;
      return [
        'defaults:',
        `  metrics: {textfile: ${path.join(bed.root, 'pgkeep.prom')}}`,
        'shop:',
        '  database:',
        `    container: ${bed.pg.name}`,
        '    user: app',
        '    databases: {production: [big]}',
        `    backup_dir: ${path.join(bed.root, 'backups')}`,
        how === 'env' ? '    password_env: PGKEEP_FAULTS_PW' : `    password_file: ${path.join(bed.root, 'pw')}`,
        `    notify: {webhook_url: "http://127.0.0.1:${port}/hook", on: [failure, success]}`,
        '    backup: {enabled: true, retention_days: 30}',
        '',
      ].join('\n');
    };

    for (const how of ['env', 'file'] as const) {
      it(`a password_${how} password stays out of argv, exec commands, output, manifests, notifications and metrics`, async () => {
        const cfg = await writeConfig(bed.root, config(how));
        const run = async (password: string) => {
          await fs.writeFile(path.join(bed.root, 'pw'), `${password}\n`, { mode: 0o600 });
          const argvs = new Set<string>();
          const execs = new Map<string, string>();
          // Podman keeps finished execs in ExecIDs: the test's own setup (CREATE ROLE … PASSWORD) is not pgkeep's.
          const earlier = new Set((await engine.docker.getContainer(bed.pg.name).inspect()).ExecIDs ?? []);
          const r = startScript('scheduled-backup', ['--config', cfg, '--verbose'], { ...bed.env, PGKEEP_FAULTS_PW: password });
          let running = true;
          const sampling = (async () => {
            while (running) {
              for (const a of await hostArgvs()) argvs.add(a);
              const info = await engine.docker.getContainer(bed.pg.name).inspect().catch(() => undefined);
              for (const id of info?.ExecIDs ?? []) {
                if (execs.has(id) || earlier.has(id)) continue;
                const e = await engine.docker.getExec(id).inspect().catch(() => undefined);
                if (e) execs.set(id, JSON.stringify(e.ProcessConfig));
              }
              await new Promise((res) => setTimeout(res, 20));
            }
          })();
          const result = await r.done;
          running = false;
          await sampling;
          return { result, argvs: [...argvs], execs: [...execs.values()] };
        };

        posts.length = 0;
        const wrong = await run(WRONG);
        assert.equal(wrong.result.code, 1, `a wrong password fails: the password is really used\n${wrong.result.stderr}`);
        assert.match(wrong.result.stderr, /password authentication failed for user "app"/);
        const good = await run(PASSWORD);
        assert.equal(good.result.code, 0, good.result.stderr);

        assert.ok(good.argvs.some((a) => a.includes('pg_dump') && a.includes('big')), 'the sampling saw pg_dump running');
        assert.ok(good.execs.some((e) => e.includes('pg_dump')), 'the sampling saw the pg_dump exec');
        const files = await fs.readdir(path.join(bed.root, 'backups', 'shop', 'production'));
        const manifests = await Promise.all(files.filter((f) => f.endsWith('.json')).map((f) => fs.readFile(path.join(bed.root, 'backups', 'shop', 'production', f), 'utf8')));
        assert.ok(manifests.length > 0);
        assert.equal(posts.length, 2, 'one failure and one success notification');
        const metrics = await fs.readFile(path.join(bed.root, 'pgkeep.prom'), 'utf8');
        for (const [secret, seen] of [[WRONG, wrong], [PASSWORD, good]] as const) {
          const places: Record<string, string[]> = {
            'host argv': seen.argvs, 'exec commands': seen.execs,
            stdout: [seen.result.stdout], 'stderr (--verbose)': [seen.result.stderr],
            manifests, notifications: posts, metrics: [metrics],
          };
          for (const [where, texts] of Object.entries(places)) {
            assert.ok(!texts.some((t) => t.includes(secret)), `the password appears in ${where}`);
          }
        }
      });
    }
  });
}
