// The swap: the only moment a restore touches the live database, kept as short as possible.
// Every step registers its undo before the next one runs; on failure or signal the undos run in
// reverse, and app containers that were stopped are always started again.
import { allowConnectionsSql, renameDatabaseSql, terminateSql } from '../pg/admin-sql.ts';
import type { PgAdmin } from '../pg/admin.ts';
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
}

export async function swapDatabases(admin: PgAdmin, pairs: SwapPair[], apps: string[], log: Logger, signal?: AbortSignal): Promise<SwapResult> {
  const undo: Array<{ what: string; run: () => Promise<unknown> }> = [];
  const stopped: string[] = [];
  const replaced: SwapPair[] = [];
  const checkpoint = () => {
    if (signal?.aborted) throw signal.reason;
  };
  try {
    const existing = await liveOnes(admin, pairs);
    for (const p of existing) {
      await admin.query(allowConnectionsSql(p.live, false));
      undo.push({ what: `allow connections to ${p.live} again`, run: () => admin.query(allowConnectionsSql(p.live, true)) });
    }
    log.info(`  blocked new connections to ${existing.map((p) => p.live).join(', ') || 'nothing (no live database yet)'}`);
    await stopApps(admin, apps, stopped, log);
    checkpoint();
    for (const p of pairs) {
      await admin.query(terminateSql(p.restored));
      if (existing.includes(p)) {
        await admin.query(terminateSql(p.live));
        await admin.query(renameDatabaseSql(p.live, p.old));
        undo.push({ what: `rename ${p.old} back to ${p.live}`, run: () => admin.query(renameDatabaseSql(p.old, p.live)) });
      }
      checkpoint();
      await admin.query(renameDatabaseSql(p.restored, p.live));
      undo.push({ what: `rename ${p.live} back to ${p.restored}`, run: () => admin.query(renameDatabaseSql(p.live, p.restored)) });
      checkpoint();
    }
    for (const p of existing) {
      // The kept copy stays connectable, so swapping back is one rename away.
      await admin.query(allowConnectionsSql(p.old, true)).catch(() => undefined);
      replaced.push(p);
    }
    return { replaced };
  } catch (err) {
    await rollBack(undo, log);
    throw err;
  } finally {
    await startApps(admin, stopped, log);
  }
}

async function liveOnes(admin: PgAdmin, pairs: SwapPair[]): Promise<SwapPair[]> {
  const found: SwapPair[] = [];
  for (const p of pairs) if (await admin.databaseInfo(p.live)) found.push(p);
  return found;
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
