// The demo database: a container from the test bed's PostgreSQL image with a small shop and crm,
// made and removed through the ContainerRuntime seam like everything else pgkeep touches.
import { PassThrough } from 'node:stream';
import { PgkeepError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';

export const DEMO_CONTAINER = 'pgkeep-demo-db';
const IMAGE = 'pgkeep-test/postgres:15';

const SEED = `
CREATE DATABASE shop TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
CREATE DATABASE crm TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
\\c shop
CREATE TABLE products (id serial PRIMARY KEY, name text, price numeric(8,2));
INSERT INTO products (name, price) SELECT 'product #' || g, g % 100 + 0.99 FROM generate_series(1, 500) g;
CREATE TABLE orders (id serial PRIMARY KEY, product_id int REFERENCES products, placed_at timestamptz DEFAULT now());
INSERT INTO orders (product_id) SELECT 1 + g % 500 FROM generate_series(1, 20000) g;
\\c crm
CREATE TABLE contacts (id serial PRIMARY KEY, name text, email text);
INSERT INTO contacts (name, email) VALUES ('Zoë Ångström', 'zoe@example.org'), ('Jürgen Groß', 'j@example.org');
`;

export async function removeDemoDatabase(runtime: ContainerRuntime): Promise<void> {
  await runtime.remove(DEMO_CONTAINER);
}

/** Starts the demo container if needed and loads the sample data once. */
export async function ensureDemoDatabase(runtime: ContainerRuntime, log: Logger): Promise<void> {
  const info = await runtime.inspect(DEMO_CONTAINER).catch(() => undefined);
  if (!info) {
    log.step(`Starting demo container ${DEMO_CONTAINER} (${IMAGE}) on ${runtime.kind}`);
    await runtime.runScratch({ name: DEMO_CONTAINER, image: IMAGE, env: { POSTGRES_HOST_AUTH_METHOD: 'trust' }, labels: { 'pgkeep-demo': '1' } });
  } else if (!info.running) {
    await runtime.start(DEMO_CONTAINER);
  }
  await waitReady(runtime);
  const has = await runtime.exec(DEMO_CONTAINER, ['psql', '-X', '-U', 'postgres', '-Atc', "SELECT 1 FROM pg_database WHERE datname = 'shop'"]);
  if (has.stdout.trim() === '1') return;
  log.info('Loading sample data: databases shop (20,500 rows) and crm');
  const stdin = new PassThrough();
  stdin.end(SEED);
  const r = await runtime.exec(DEMO_CONTAINER, ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', 'postgres'], { stdin });
  if (r.exitCode !== 0) throw new PgkeepError(`loading the demo data into ${DEMO_CONTAINER} failed: ${r.stderr.trim()}`, 'start again from scratch with: make demo-clean');
}

async function waitReady(runtime: ContainerRuntime): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const r = await runtime.exec(DEMO_CONTAINER, ['psql', '-X', '-U', 'postgres', '-Atc', 'select 1']).catch(() => undefined);
    if (r?.exitCode === 0) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new PgkeepError(`the demo database in ${DEMO_CONTAINER} did not accept connections within 30 s`, 'see why with: docker logs pgkeep-demo-db (or podman logs), then make demo-clean');
}
