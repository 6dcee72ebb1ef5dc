// The engine's API socket goes away while pg_dump streams. On Podman the test runs its own API
// service on a private socket (the shared one is never touched) and kills it; on Docker, whose
// daemon is shared, a private socket that forwards to it is closed with every connection on it.
// Either way: exit 1, one message naming the socket, no partial file, earlier backups intact.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { describe, it } from 'node:test';
import { useBigDumpBed } from '../support/big-dump-bed.ts';
import { testEngines, type TestEngine } from '../support/engines.ts';
import { assertClearMessage, assertNothingLost, captureState, partialBytes, startScript, waitUntil } from './support.ts';

interface PrivateSocket {
  url: string;
  /** Takes the socket away mid-stream, as a crashed or stopped service does. */
  drop(): Promise<void>;
}

async function podmanService(): Promise<PrivateSocket> {
  const file = `/tmp/pgkeep-faults-${randomBytes(4).toString('hex')}.sock`;
  // Started from / : a service whose working directory disappears breaks its conmons.
  const child: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${file}`], { cwd: '/', stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  await waitUntil('the private Podman service', () => fs.stat(file).then(() => true, () => false), 30_000);
  return {
    url: `unix://${file}`,
    async drop() {
      child.kill('SIGKILL');
      await exited;
      await fs.rm(file, { force: true });
    },
  };
}

async function forwardingSocket(target: string): Promise<PrivateSocket> {
  const file = `/tmp/pgkeep-faults-${randomBytes(4).toString('hex')}.sock`;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    open.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(file, r));
  return {
    url: `unix://${file}`,
    async drop() {
      await new Promise((r) => { server.close(r); for (const s of open) s.destroy(); });
      await fs.rm(file, { force: true });
    },
  };
}

const privateSocket = (engine: TestEngine) =>
  engine.name === 'podman' ? podmanService() : forwardingSocket(engine.socket.slice('unix://'.length));

for (const engine of testEngines()) {
  describe(`engine socket dropped mid-stream on ${engine.name}`, () => {
    const bed = useBigDumpBed(engine);

    it('fails with exit 1 and one message naming the socket, nothing lost', async () => {
      const socket = await privateSocket(engine);
      let dropped = false;
      try {
        const state = await captureState(bed.dir);
        const run = startScript('backup', ['--config', bed.cfg], { DOCKER_HOST: socket.url });
        await waitUntil('the dump to be streaming', async () => (await partialBytes(bed.dir)) > 1024 * 1024);
        await socket.drop();
        dropped = true;
        const r = await run.done;
        assert.equal(r.code, 1, r.stderr);
        assertClearMessage(r.stderr, new RegExp(`shop/production/big: .*${socket.url.replace('unix://', '')}`));
        await assertNothingLost(state, bed.dir);
      } finally {
        if (!dropped) await socket.drop();
      }
    });
  });
}
