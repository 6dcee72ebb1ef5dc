// `verify --target scratch` with images nobody designed for it (PID 1 is an init or a shell, a slow
// temporary initialisation server), and the isolation of the restored copy, on Docker and Podman.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import { connectRuntime } from '../../lib/runtime/connect.ts';
import { startScratch, waitForScratch } from '../../lib/verify/scratch.ts';
import { requireEngine, testEngines, type TestEngine } from '../support/engines.ts';
import { image, startPostgres, type PgContainer, type StartOptions } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const LABELS = { 'pgkeep-test': '1' };
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * pgkeep-test/postgres:15 changed the way many real images are: PID 1 stays a shell because the
 * command does not exec the entrypoint, and the entrypoint's temporary server (run when
 * POSTGRES_USER's database must be created) lives 3 s, as slow initialisation scripts make it.
 */
async function buildShellPid1Image(engine: TestEngine): Promise<string> {
  const tag = unique('scratch-shell-pid1');
  const c = await engine.docker.createContainer({
    name: unique('pgkeep-test-build'),
    Image: image(15),
    Cmd: ['/bin/sh', '-c', "sed -i '/-m fast -w stop/i sleep 3' /usr/local/bin/docker-entrypoint.sh"],
    Labels: LABELS,
  });
  try {
    await c.start();
    assert.equal((await c.wait()).StatusCode, 0);
    await c.commit({ repo: 'pgkeep-test/postgres', tag, changes: 'CMD ["/bin/sh","-c","/usr/local/bin/docker-entrypoint.sh; echo server exited"]' });
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
  return `pgkeep-test/postgres:${tag}`;
}

/** psql from another container on the engine's default network. */
async function probe(engine: TestEngine, host: string): Promise<{ code: number; out: string }> {
  const c = await engine.docker.createContainer({
    name: unique('pgkeep-test-probe'),
    Image: image(15),
    Entrypoint: ['psql'],
    Cmd: ['-X', '-w', '-h', host, '-U', 'postgres', '-d', 'postgres', '-Atc', 'select 1'],
    Env: ['PGCONNECT_TIMEOUT=5'],
    Labels: LABELS,
  });
  try {
    await c.start();
    const code = (await c.wait()).StatusCode as number;
    return { code, out: (await c.logs({ stdout: true, stderr: true })).toString() };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

async function addresses(engine: TestEngine, name: string): Promise<string[]> {
  const n = (await engine.docker.getContainer(name).inspect()).NetworkSettings;
  const nets = Object.values(n.Networks ?? {});
  return [n.IPAddress, n.GlobalIPv6Address, ...nets.flatMap((x) => [x.IPAddress, x.GlobalIPv6Address])].filter((a): a is string => !!a);
}

for (const engine of testEngines()) {
  describe(`verify --target scratch on ${engine.name}`, () => {
    const env = { DOCKER_HOST: engine.socket };
    let shellImage: string;
    let runtime: Awaited<ReturnType<typeof connectRuntime>>;

    before(async () => {
      await requireEngine(engine);
      runtime = await connectRuntime('auto', env);
      shellImage = await buildShellPid1Image(engine);
    });
    after(async () => {
      if (shellImage) await engine.docker.getImage(shellImage).remove({ force: true }).catch(() => undefined);
    });

    /** A source server whose superuser "keeper" is not postgres, so the scratch runs a temporary server first. */
    async function scratchVerify(opts: StartOptions): Promise<void> {
      const tmp = await tempDir();
      const pg = await startPostgres(engine, 15, 'pgkeep-test', opts);
      try {
        await pg.sql('postgres', 'CREATE ROLE keeper SUPERUSER LOGIN');
        await pg.sql('postgres', `CREATE DATABASE ledger TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await pg.sql('ledger', `CREATE TABLE entries (id int PRIMARY KEY, memo text); INSERT INTO entries SELECT g, 'entry ' || g FROM generate_series(1, 2000) g`);
        const cfg = await writeConfig(tmp.dir, `ledger:\n  database:\n    container: ${pg.name}\n    user: keeper\n    databases: {production: ledger}\n    backup_dir: ./backups\n`);
        const b = await runScript('backup', ['--config', cfg], { env });
        assert.equal(b.code, 0, b.stderr);
        const started = Date.now();
        const v = await runScript('verify', ['--config', cfg, '--target', 'scratch'], { env });
        assert.equal(v.code, 0, v.stderr);
        const ready = /scratch container \S+ ready in .*/.exec(v.stderr)?.[0];
        console.log(`# ${engine.name} ${opts.init ? '--init' : opts.image}: ${ready}; the whole verify took ${Date.now() - started} ms`);
        const m = JSON.parse(await fs.readFile(`${b.stdout.trim()}.json`, 'utf8')) as Manifest;
        assert.equal(m.verified?.ok, true);
        assert.equal(m.verified?.rows, 2000);
        assert.match(m.verified!.target!, /^scratch:/);
        const scratch = /removed scratch container (\S+)/.exec(v.stderr)?.[1];
        assert.ok(scratch, v.stderr);
        await assert.rejects(engine.docker.getContainer(scratch).inspect(), /no such container/i);
      } finally {
        await pg.remove();
        await tmp.cleanup();
      }
    }

    it('verifies in a scratch copy when the source container runs with --init', () => scratchVerify({ init: true }));

    it('verifies in a scratch copy when the image\'s entrypoint does not exec postgres (PID 1 stays a shell)', () => scratchVerify({ image: shellImage }));

    it('runs the scratch copy with --init like its source, and waits out the temporary server however PID 1 looks', async () => {
      for (const [img, init] of [[image(15), true], [shellImage, false]] as const) {
        const name = await startScratch(runtime, img, 'keeper', { init });
        try {
          await waitForScratch(runtime, name, 'keeper');
          const pid1 = (await runtime.exec(name, ['cat', '/proc/1/comm'])).stdout.trim();
          assert.notEqual(pid1, 'postgres', `PID 1 in the scratch copy of ${img} (init: ${init})`);
          const seen = async () => (await runtime.exec(name, ['psql', '-X', '-U', 'keeper', '-d', 'postgres', '-Atc', 'select pg_postmaster_start_time()'])).stdout.trim();
          const first = await seen();
          assert.notEqual(first, '', 'the server answers once ready');
          // The temporary server lives 3 s in shellImage; a check it fooled would see it replaced.
          await new Promise((r) => setTimeout(r, 4000));
          assert.equal(await seen(), first, `the server that answered when ready is the final one (${img})`);
        } finally {
          await runtime.remove(name);
        }
      }
    });

    it('gives the scratch copy no network: a container on the bridge reaches an ordinary server, not the scratch copy', async () => {
      let pg: PgContainer | undefined;
      const name = await startScratch(runtime, image(15), 'postgres');
      try {
        pg = await startPostgres(engine, 15);
        const [addr] = await addresses(engine, pg.name);
        assert.ok(addr, 'an ordinary container has an address on the bridge');
        const reached = await probe(engine, addr);
        assert.equal(reached.code, 0, `the probe reaches an ordinary server: ${reached.out}`);
        await waitForScratch(runtime, name, 'postgres');
        assert.deepEqual(await addresses(engine, name), [], 'the scratch copy has no address another container could use');
        const ifaces = (await runtime.exec(name, ['cat', '/proc/net/dev'])).stdout.split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean);
        assert.deepEqual(ifaces, ['lo']);
        // Defence in depth: without the network, host rules could only be loopback; none trusts more.
        const rules = await runtime.exec(name, ['psql', '-X', '-U', 'postgres', '-d', 'postgres', '-Atc', "select count(*) from pg_hba_file_rules where type <> 'local' and auth_method = 'trust' and address not in ('127.0.0.1', '::1')"]);
        assert.equal(rules.stdout.trim(), '0', rules.stderr);
      } finally {
        await runtime.remove(name);
        await pg?.remove();
      }
    });

    it('gives up on a scratch copy that never serves, naming the container, the image and what it saw, and honours abort', async () => {
      const name = unique('pgkeep-test-noserver');
      const c = await engine.docker.createContainer({ name, Image: image(15), Cmd: ['sleep', 'infinity'], Labels: LABELS });
      try {
        await c.start();
        const t0 = Date.now();
        await assert.rejects(waitForScratch(runtime, name, 'postgres', undefined, 5000), (err: Error) => {
          assert.match(err.message, new RegExp(`${name}.*${image(15).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
          assert.match(err.message, /within 5 s/);
          assert.match(err.message, /last seen: (psql: error: connection to server on socket|the exec failed: timed out)/);
          return true;
        });
        assert.ok(Date.now() - t0 < 20_000, `the limit bounds the wait (took ${Date.now() - t0} ms)`);
        const ac = new AbortController();
        setTimeout(() => ac.abort(new Error('stop now')), 500);
        const t1 = Date.now();
        await assert.rejects(waitForScratch(runtime, name, 'postgres', ac.signal, 60_000), /stop now/);
        assert.ok(Date.now() - t1 < 5000, `abort ends the wait at once (took ${Date.now() - t1} ms)`);
      } finally {
        await c.remove({ force: true }).catch(() => undefined);
      }
    });
  });
}
