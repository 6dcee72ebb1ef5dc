// The swap: the only moment a restore touches the live database, kept as short as possible: its
// statements run in one held psql session, a round trip each rather than an exec each. Every step
// registers its undo before the next one runs; on failure or signal the undos run in reverse (each
// its own exec, since a failed statement ends the session), and app containers that were stopped
// are always started again. A signal is seen between statements, never in the middle of one, so
// every rename that happened has its undo registered.
import { PgkeepError } from '../errors.ts';
import { allowConnectionsSql, databaseInfoSql, renameDatabaseSql, terminateSql } from '../pg/admin-sql.ts';
import type { PgAdmin } from '../pg/admin.ts';
import { PsqlError } from '../pg/psql-session.ts';
import type { Logger } from '../log.ts';
import { startApps, stopApps } from './apps.ts';

export interface SwapPair {
  /** The name apps connect to. */
  live: string;
  /** The verified temporary database that takes its place. */
  restored: string;
  /** What the live database is renamed to, and kept as. */
  old: string;
}

export interface SwapResult {
  /** Pairs whose live database existed and is now kept under `old`. */
  replaced: SwapPair[];
  /** App containers stopped for the swap that would not start again: the swap itself succeeded. */
  appsNotStarted: string[];
  /** From blocking new connections to the last live name answering again (app stops included); 0 when nothing live was replaced. */
  outageMs: number;
}

export async function swapDatabases(admin: PgAdmin, pairs: SwapPair[], apps: string[], log: Logger, signal?: AbortSignal): Promise<SwapResult> {
  const undo: Array<{ what: string; run: () => Promise<unknown> }> = [];
  const stopped: string[] = [];
  const replaced: SwapPair[] = [];
  let appsNotStarted: string[] = [];
  let blockedAt: number | undefined;
  let outageMs = 0;
  const checkpoint = () => {
    if (signal?.aborted) throw signal.reason;
  };
  const session = admin.session();
  const run = (sql: string) => session.query(sql).catch((err: unknown) => {
    throw err instanceof PsqlError ? new PgkeepError(`the swap in container "${admin.container}" failed: ${err.message}`) : err;
  });
  try {
    const existing: SwapPair[] = [];
    for (const p of pairs) if ((await run(databaseInfoSql(p.live))).length > 0) existing.push(p);
    blockedAt = Date.now();
    for (const p of existing) {
      await run(allowConnectionsSql(p.live, false));
      undo.push({ what: `allow connections to ${p.live} again`, run: () => admin.query(allowConnectionsSql(p.live, true)) });
    }
    log.info(`  blocked new connections to ${existing.map((p) => p.live).join(', ') || 'nothing (no live database yet)'}`);
    // Apps are stopped only when a live database is replaced; a new one disturbs no one.
    if (existing.length > 0) await stopApps(admin, apps, stopped, log);
    checkpoint();
    for (const p of pairs) {
      await run(terminateSql(p.restored));
      if (existing.includes(p)) {
        await run(terminateSql(p.live));
        await run(renameDatabaseSql(p.live, p.old));
        undo.push({ what: `rename ${p.old} back to ${p.live}`, run: () => admin.query(renameDatabaseSql(p.old, p.live)) });
      }
      checkpoint();
      await run(renameDatabaseSql(p.restored, p.live));
      undo.push({ what: `rename ${p.live} back to ${p.restored}`, run: () => admin.query(renameDatabaseSql(p.live, p.restored)) });
      checkpoint();
    }
    if (existing.length > 0) outageMs = Date.now() - blockedAt;
    for (const p of existing) {
      // The kept copy stays connectable, so swapping back is one rename away.
      await run(allowConnectionsSql(p.old, true)).catch(() => undefined);
      replaced.push(p);
    }
  } catch (err) {
    await rollBack(undo, log);
    throw err;
  } finally {
    await session.close().catch(() => undefined);
    appsNotStarted = await startApps(admin, stopped, log);
  }
  return { replaced, appsNotStarted, outageMs };
}

async function rollBack(undo: Array<{ what: string; run: () => Promise<unknown> }>, log: Logger): Promise<void> {
  for (const step of undo.reverse()) {
    try {
      await step.run();
      log.info(`  rolled back: ${step.what}`);
    } catch (err) {
      log.error(`rollback step failed: ${step.what}: ${(err as Error).message}. Do it by hand.`);
    }
  }
}
