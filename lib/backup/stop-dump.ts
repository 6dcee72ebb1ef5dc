// Cutting an exec's stream does not stop the process inside the container: the engine has no
// "kill exec" call, and an orphaned pg_dump runs on to the end, holding its table locks (which
// block migrations) and the CPU. Each dump gets its own application_name, so a failed or
// interrupted run can end exactly its own server session, and pg_dump exits with it.
import { randomBytes } from 'node:crypto';
import { quoteLiteral } from '../names.ts';
import { PgAdmin } from '../pg/admin.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';

export const dumpAppName = (): string => `pgkeep-dump-${randomBytes(6).toString('hex')}`;

/** Best effort, bounded: the container or the engine may be the thing that just failed. */
export async function stopDump(runtime: ContainerRuntime, container: string, user: string, env: Record<string, string>, appName: string): Promise<void> {
  const admin = new PgAdmin(runtime, container, user, env);
  const sql = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${quoteLiteral(appName)} AND pid <> pg_backend_pid();`;
  await admin.query(sql, 'postgres', AbortSignal.timeout(10_000)).catch(() => undefined);
}
