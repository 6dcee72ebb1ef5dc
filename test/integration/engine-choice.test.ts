// Which engine pgkeep talks to: DOCKER_HOST (unix://, and tcp:// plain or with verified TLS) on
// both engines, and the hint when runtime: picks an engine that lacks the container.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { testEngines, type TestEngine } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const engines = testEngines();
const NO_HOST = { DOCKER_HOST: undefined, CONTAINER_HOST: undefined, DOCKER_TLS_VERIFY: undefined, DOCKER_TLS: undefined, DOCKER_CERT_PATH: undefined };
const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at /m, s);

const config = (container: string, runtime?: string) => `
shop:
  database:
    container: ${container}
    user: postgres
    databases:
      production: small
    backup_dir: ./backups
${runtime ? `    runtime: ${runtime}\n` : ''}`;

/** A TCP (or TLS) listener that forwards each connection to the engine's unix socket. */
async function forwarder(socket: string, secure?: { key: Buffer; cert: Buffer }): Promise<{ port: number; close: () => Promise<void> }> {
  const open = new Set<net.Socket>();
  const onConn = (c: net.Socket) => {
    // Half-open both ways: restore ends stdin (FIN) and still reads the process's output.
    const up = net.connect({ path: socket.slice('unix://'.length), allowHalfOpen: true });
    open.add(c).add(up);
    c.pipe(up).pipe(c);
    const end = () => (c.destroy(), up.destroy());
    c.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  };
  const server = secure ? tls.createServer({ ...secure, allowHalfOpen: true }, onConn) : net.createServer({ allowHalfOpen: true }, onConn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: async () => {
      server.close();
      for (const s of open) s.destroy();
    },
  };
}

for (const engine of engines) {
  describe(`engine choice on ${engine.name}`, () => {
    let pg: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;

    before(async () => {
      tmp = await tempDir();
      pg = await startPostgres(engine, 15);
      await pg.sql('postgres', 'CREATE DATABASE small');
      await pg.sql('small', 'CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)');
    });
    after(async () => {
      await pg?.remove();
      await tmp?.cleanup();
    });

    it(`DOCKER_HOST=unix://${engine.socket.slice(7)} is the engine used, whatever runtime: auto would pick`, async () => {
      const { dir, cleanup } = await tempDir();
      try {
        const cfg = await writeConfig(dir, config(pg.name));
        const r = await runScript('backup', ['--config', cfg], { env: { ...NO_HOST, DOCKER_HOST: engine.socket } });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /small_\d{8}_\d{6}\.dump/);
      } finally {
        await cleanup();
      }
    });

    it('DOCKER_HOST=tcp:// without TLS talks plain HTTP to a port that is not 2376', async () => {
      const { dir, cleanup } = await tempDir();
      const fwd = await forwarder(engine.socket);
      try {
        const cfg = await writeConfig(dir, config(pg.name));
        const r = await runScript('backup', ['--config', cfg], { env: { ...NO_HOST, DOCKER_HOST: `tcp://127.0.0.1:${fwd.port}` } });
        assert.equal(r.code, 0, r.stderr);
      } finally {
        await fwd.close();
        await cleanup();
      }
    });

    it('DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH talks verified TLS, and refuses a server its CA did not sign', async () => {
      const { dir, cleanup } = await tempDir();
      const certs = path.join(dir, 'certs');
      await fs.mkdir(certs);
      const mk = (name: string, cn: string) =>
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`,
          '-keyout', path.join(certs, `${name}-key.pem`), '-out', path.join(certs, `${name}.pem`)], { stdio: 'ignore' });
      mk('server', 'localhost');
      mk('other', 'localhost');
      mk('client', 'pgkeep');
      await fs.copyFile(path.join(certs, 'server.pem'), path.join(certs, 'ca.pem'));
      await fs.copyFile(path.join(certs, 'client.pem'), path.join(certs, 'cert.pem'));
      await fs.copyFile(path.join(certs, 'client-key.pem'), path.join(certs, 'key.pem'));
      const read = (f: string) => fs.readFile(path.join(certs, f));
      const good = await forwarder(engine.socket, { key: await read('server-key.pem'), cert: await read('server.pem') });
      const bad = await forwarder(engine.socket, { key: await read('other-key.pem'), cert: await read('other.pem') });
      try {
        const cfg = await writeConfig(dir, config(pg.name));
        const tlsEnv = (port: number) => ({ ...NO_HOST, DOCKER_HOST: `tcp://localhost:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
        const ok = await runScript('backup', ['--config', cfg], { env: tlsEnv(good.port) });
        assert.equal(ok.code, 0, ok.stderr);
        const refused = await runScript('backup', ['--config', cfg], { env: tlsEnv(bad.port) });
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, /no container engine answered .*tcp:\/\/localhost:\d+ .*(self[- ]signed|certificate)/i);
        noStack(refused.stderr);
        await fs.rm(path.join(certs, 'key.pem'));
        const noKey = await runScript('backup', ['--config', cfg], { env: tlsEnv(good.port) });
        assert.equal(noKey.code, 1, noKey.stderr);
        assert.match(noKey.stderr, new RegExp(`uses TLS, but ${path.join(certs, 'key.pem')} cannot be read \\(ENOENT\\)`));
        noStack(noKey.stderr);
      } finally {
        await good.close();
        await bad.close();
        await cleanup();
      }
    });

    it('DOCKER_HOST=ssh:// is refused before any engine is touched, with the socket-forwarding alternative', async () => {
      const { dir, cleanup } = await tempDir();
      try {
        const cfg = await writeConfig(dir, config(pg.name));
        const r = await runScript('backup', ['--config', cfg], { env: { ...NO_HOST, DOCKER_HOST: 'ssh://op@db1.example' } });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /DOCKER_HOST=ssh:\/\/op@db1\.example: pgkeep does not speak ssh:\/\/ to an engine/);
        assert.match(r.stderr, /ssh -nNT -L/);
        noStack(r.stderr);
        assert.deepEqual(await fs.readdir(dir), ['projects.yml']);
      } finally {
        await cleanup();
      }
    });

    const other = engines.find((e: TestEngine) => e.name !== engine.name);
    if (other) {
      // runtime: auto takes docker first; the container on podman shows the hint. For a container
      // on docker, runtime: podman is the way to pick the wrong engine.
      const runtime = engine.name === 'podman' ? 'auto' : 'podman';
      it(`runtime: ${runtime} and the container only on ${engine.name}: the error says where it is and to set runtime: ${engine.name}`, async () => {
        const { dir, cleanup } = await tempDir();
        try {
          const cfg = await writeConfig(dir, config(pg.name, runtime === 'auto' ? undefined : runtime));
          const r = await runScript('backup', ['--config', cfg], { env: NO_HOST });
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, new RegExp(`container "${pg.name}" does not exist on ${other.name} .*but it exists on ${engine.name} \\(${engine.socket}\\)`));
          assert.match(r.stderr, new RegExp(`set runtime: ${engine.name} `));
          noStack(r.stderr);
        } finally {
          await cleanup();
        }
      });
    }
  });
}
