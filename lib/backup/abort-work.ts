// How a backup is stopped (timeout, signal, a failure beside the dump) so that nothing keeps
// running: cutting an exec's stream does not end the process inside the container, and a pg_dump
// waiting on a lock never writes, so it would never see SIGPIPE. Every session of one backup
// carries one application_name; stopping terminates those server sessions, which ends pg_dump and
// psql at once, waits for their execs to finish, and cuts the streams only after a grace period.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.ts';
import { quoteLiteral } from '../names.ts';
import { PgAdmin } from '../pg/admin.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';

/**
 * How long the sessions get to end once stopping starts, before the streams are cut anyway. One
 * short exec usually takes well under a second, but measured 7 s on a Podman host under load.
 */
const GRACE_MS = 30_000;

export interface WorkStopper {
  /** For the sessions' environment (PGAPPNAME). */
  appName: string;
  /** Given to every exec of the backup: aborted only after the grace period. */
  cut: AbortSignal;
  /** Idempotent; resolves once the server sessions were asked to end. */
  stop(reason: unknown): Promise<void>;
  dispose(): void;
}

export function workStopper(
  runtime: ContainerRuntime,
  at: { container: string; user: string; database: string; env: Record<string, string> },
  log: Logger,
  outer?: AbortSignal,
): WorkStopper {
  const appName = `pgkeep-${process.pid}-${randomBytes(4).toString('hex')}`;
  const cutter = new AbortController();
  let stopping: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = (reason: unknown) =>
    (stopping ??= (async () => {
      timer = setTimeout(() => cutter.abort(reason), GRACE_MS);
      const admin = new PgAdmin(runtime, at.container, at.user, at.env, at.database);
      const sql = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${quoteLiteral(appName)} AND pid <> pg_backend_pid();`;
      // A ref'd timer, unlike AbortSignal.timeout: the process must stay alive until this settles.
      const limit = new AbortController();
      const limitTimer = setTimeout(() => limit.abort(new Error(`no answer within ${GRACE_MS / 1000} s`)), GRACE_MS);
      await admin.query(sql, at.database, limit.signal).finally(() => clearTimeout(limitTimer)).catch((err: Error) => {
        log.warn(`could not end the backup's sessions of "${at.database}" on the server (${err.message}); cutting their streams`);
        cutter.abort(reason);
      });
    })());
  const onAbort = () => void stop(outer!.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    appName,
    cut: cutter.signal,
    stop,
    dispose() {
      if (timer) clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}
