// A real PostgreSQL server in a throwaway container on a real engine, removed on every path.
import { randomBytes } from 'node:crypto';
import { connectRuntime } from '../../lib/runtime/connect.ts';
import type { ContainerRuntime } from '../../lib/runtime/container-runtime.ts';
import { requireEngine, type TestEngine } from './engines.ts';

export interface PgContainer {
  name: string;
  engine: TestEngine;
  runtime: ContainerRuntime;
  /** Runs SQL as the superuser and returns stdout; throws on error. */
  sql(database: string, sql: string): Promise<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

export const image = (version: 15 | 17) => `pgkeep-test/postgres:${version}`;

/** image replaces pgkeep-test/postgres:<version>; init runs it with --init (HostConfig.Init). */
export interface StartOptions {
  image?: string;
  init?: boolean;
  /** The container's exact name (the prefix is then unused): a fresh server under an old name. */
  name?: string;
}

export async function startPostgres(engine: TestEngine, version: 15 | 17 = 15, prefix = 'pgkeep-test', opts: StartOptions = {}): Promise<PgContainer> {
  await requireEngine(engine);
  const name = opts.name ?? `${prefix}-${randomBytes(4).toString('hex')}`;
  const c = await engine.docker.createContainer({
    name,
    Image: opts.image ?? image(version),
    ...(opts.init ? { HostConfig: { Init: true } } : {}),
    Env: ['POSTGRES_HOST_AUTH_METHOD=trust', 'POSTGRES_PASSWORD=unused-in-tests'],
    Labels: { 'pgkeep-test': '1' },
  });
  const runtime = await connectRuntime('auto', { DOCKER_HOST: engine.socket });
  const pg: PgContainer = {
    name,
    engine,
    runtime,
    async sql(database, sql) {
      const r = await runtime.exec(name, ['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', database, '-c', sql]);
      if (r.exitCode !== 0) throw new Error(`psql in ${name} failed: ${r.stderr}`);
      return r.stdout.trim();
    },
    stop: () => c.stop({ t: 5 }).then(() => undefined),
    async start() {
      await c.start();
      await waitReady(runtime, name);
    },
    remove: () => c.remove({ force: true, v: true }).then(() => undefined, () => undefined),
  };
  try {
    await pg.start();
  } catch (err) {
    await pg.remove();
    throw err;
  }
  return pg;
}

async function waitReady(runtime: ContainerRuntime, name: string): Promise<void> {
  // initdb alone took 40-70 s on the shared 2-core test machine under a load of 40-60.
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const r = await runtime.exec(name, ['pg_isready', '-q', '-U', 'postgres']).catch(() => undefined);
    if (r?.exitCode === 0) {
      const q = await runtime.exec(name, ['psql', '-X', '-U', 'postgres', '-Atc', 'select 1']).catch(() => undefined);
      if (q?.exitCode === 0) return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`PostgreSQL in ${name} did not become ready within 180 s`);
}
