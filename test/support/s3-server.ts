// A real S3-compatible server for the tests: an s3rver process (npm, 3.7.1) on 127.0.0.1, on a
// random port, storing to a temporary directory, with a random key pair. Never mocked in-process.
// The key pair reaches it through its environment, never its argv; the process is killed on every
// path (stop(), and at the test process's exit).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './run-script.ts';

export interface S3Server {
  endpoint: string;
  port: number;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** Where s3rver keeps the objects (bucket/key files): for the tests that age or inspect them. */
  dataDir: string;
  pid(): number | undefined;
  /** SIGKILL, as a crash or a dead host would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data (after kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

// Runs inside the child: the access key and secret come from its environment.
const MAIN = `
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const account = new AWSAccount('123456789000', 'pgkeep-test');
account.createKeyPair(process.env.S3_TEST_ACCESS_KEY, process.env.S3_TEST_SECRET_KEY);
new S3rver({ address: '127.0.0.1', port: Number(process.env.S3_TEST_PORT), directory: process.env.S3_TEST_DIR, silent: true,
  configureBuckets: [{ name: process.env.S3_TEST_BUCKET, configs: [] }] })
  .run().then(({ port }) => console.log('listening ' + port), (err) => { console.error(err); process.exit(1); });
`;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function startS3Server(bucket = 'pgkeep-test'): Promise<S3Server> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pgkeep-s3-'));
  const accessKey = `AK${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretKey = `sk-${randomBytes(16).toString('hex')}`;
  let child: ChildProcess | undefined;
  let port = 0;
  const launch = async () => {
    const r = await launchS3rver({ S3_TEST_ACCESS_KEY: accessKey, S3_TEST_SECRET_KEY: secretKey, S3_TEST_PORT: String(port), S3_TEST_DIR: dataDir, S3_TEST_BUCKET: bucket });
    child = r.child;
    port = r.port;
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await gone;
    live.delete(c);
  };
  try {
    await launch();
  } catch (err) {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    bucket,
    accessKey,
    secretKey,
    dataDir,
    pid: () => child?.pid,
    kill,
    restart: launch,
    async stop() {
      await kill();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

function launchS3rver(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', MAIN], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not start within 20 s: ${err}`));
    }, 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      live.delete(child);
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code} before listening: ${err}`));
    });
  });
}

/** The offsite: block for a test config, credentials by env var name. */
export function offsiteYaml(s3: S3Server, extra = ''): string {
  return `offsite: {type: s3, endpoint: "${s3.endpoint}", region: us-east-1, bucket: ${s3.bucket}, prefix: pgkeep, force_path_style: true, access_key_env: TEST_S3_ACCESS, secret_key_env: TEST_S3_SECRET, verify: checksum${extra ? `, ${extra}` : ''}}`;
}

export const s3Env = (s3: S3Server): Record<string, string> => ({ TEST_S3_ACCESS: s3.accessKey, TEST_S3_SECRET: s3.secretKey });
