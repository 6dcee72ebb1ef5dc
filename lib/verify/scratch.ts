// --target scratch: a throwaway container from the source container's image, so verification
// puts no load on production and carries no risk to it. Removed on every path by the caller.
import { randomBytes } from 'node:crypto';
import { PgkeepError } from '../errors.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';

export async function startScratch(runtime: ContainerRuntime, image: string, user: string): Promise<string> {
  const name = `pgkeep-verify-${randomBytes(4).toString('hex')}`;
  const spec = {
    name,
    image,
    // What the official postgres image's entrypoint understands: the configured user becomes the
    // superuser, and only local trust is needed since pgkeep connects over the socket.
    env: { POSTGRES_USER: user, POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_PASSWORD: randomBytes(12).toString('hex') },
    labels: { 'pgkeep.scratch': '1' },
  };
  try {
    await runtime.runScratch(spec);
  } catch (err) {
    await runtime.remove(name).catch(() => undefined); // created but not started
    throw err;
  }
  return name;
}

/**
 * Ready means the final server runs as PID 1 and answers: the official entrypoint first runs a
 * temporary server for initialisation, which answers too but is about to go away.
 */
export async function waitForScratch(runtime: ContainerRuntime, name: string, user: string, signal?: AbortSignal, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw signal.reason;
    const pid1 = await runtime.exec(name, ['cat', '/proc/1/comm']).catch(() => undefined);
    if (pid1?.stdout.trim() === 'postgres') {
      const q = await runtime.exec(name, ['psql', '-X', '-w', '-U', user, '-d', 'postgres', '-Atc', 'select 1']).catch(() => undefined);
      if (q?.exitCode === 0) return;
    }
    const info = await runtime.inspect(name);
    if (!info.running) throw new PgkeepError(`the scratch container ${name} stopped while starting (state: ${info.state}); does its image initialise a database from POSTGRES_USER like the official postgres image?`);
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new PgkeepError(`the scratch container ${name} did not become ready within ${limitMs / 1000} s`);
}
