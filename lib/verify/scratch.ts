// --target scratch: a throwaway container from the source container's image, so verification
// puts no load on production and carries no risk to it. Removed on every path by the caller.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgkeepError } from '../errors.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import { judgeReadiness, READINESS_SQL, type ReadinessProbe } from './scratch-readiness.ts';

export interface ScratchOptions {
  /** Run with --init like the source container, so the image runs as it does in production. */
  init?: boolean;
}

/**
 * The scratch copy holds production data, so nothing but pgkeep may reach it: it runs with no
 * network (pgkeep talks to it only through execs over the local socket) and without trust for
 * TCP. What the official postgres image's entrypoint understands: the configured user becomes the
 * superuser, with a random password nobody knows for TCP (scram-sha-256, the image's default) and
 * the image's trust on the local socket, which is all pgkeep uses. Trust for TCP would add nothing
 * pgkeep needs and would hand the data to anything that ever got a route to the container.
 */
export async function startScratch(runtime: ContainerRuntime, image: string, user: string, opts: ScratchOptions = {}): Promise<string> {
  const name = `pgkeep-verify-${randomBytes(4).toString('hex')}`;
  const spec = {
    name,
    image,
    env: { POSTGRES_USER: user, POSTGRES_PASSWORD: randomBytes(18).toString('base64url') },
    labels: { 'pgkeep.scratch': '1' },
    init: opts.init,
  };
  try {
    await runtime.runScratch(spec);
  } catch (err) {
    await runtime.remove(name).catch(() => undefined); // created but not started
    throw err;
  }
  return name;
}

const POLL_MS = 250;

/**
 * Waits until initialisation has finished and the final server accepts connections, judged by
 * what PostgreSQL reports (see scratch-readiness.ts), for at most limitMs. Rejects with the abort
 * reason as soon as the signal fires.
 */
export async function waitForScratch(runtime: ContainerRuntime, name: string, user: string, signal?: AbortSignal, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  let start: string | undefined;
  let seen = 'nothing yet';
  for (;;) {
    signal?.throwIfAborted();
    // No shorter limit per probe: on a loaded host one exec was measured at up to 20 s (Podman).
    const timeoutMs = Math.max(1000, deadline - Date.now());
    const probe = await runtime
      .exec(name, ['psql', '-X', '-w', '-U', user, '-d', 'postgres', '-Atc', READINESS_SQL], { signal, timeoutMs })
      .then((r): ReadinessProbe => r, (error: Error): ReadinessProbe => ({ error }));
    signal?.throwIfAborted();
    const r = judgeReadiness(probe, start);
    if (r.ready) return;
    ({ start, seen } = r);
    const info = await runtime.inspect(name);
    if (!info.running) {
      throw new PgkeepError(`the scratch container ${name} (image ${info.image}) stopped while starting (state: ${info.state}; last seen: ${seen})`, HINT);
    }
    if (Date.now() + POLL_MS >= deadline) {
      throw new PgkeepError(`the scratch container ${name} (image ${info.image}) did not become ready within ${Math.round(limitMs / 1000)} s; last seen: ${seen}`, HINT);
    }
    await sleep(POLL_MS, undefined, { signal }).catch(() => signal?.throwIfAborted());
  }
}

const HINT = 'a scratch copy needs an image that initialises a database from POSTGRES_USER and POSTGRES_PASSWORD like the official postgres image; otherwise verify with --target same-container';
