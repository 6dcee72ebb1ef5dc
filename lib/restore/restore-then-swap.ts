// The default restore: every database of the set into a fresh temporary database, each verified,
// then one short swap. Temporary databases are dropped on every path.
import { formatDuration } from '../log.ts';
import { dropDatabaseSql } from '../pg/admin-sql.ts';
import type { ArchiveKind } from '../pg/archive.ts';
import type { RestoredCheck } from '../archive/verify-restored.ts';
import { createLike, describeNew, fill, type RestoreContext, type RestoreOutcome } from './new-database.ts';
import type { RestoreItem } from './plan.ts';
import { swapDatabases } from './swap.ts';

export async function restoreThenSwap(ctx: RestoreContext, items: RestoreItem[], kinds: ArchiveKind[], apps: string[], dropOld: boolean): Promise<RestoreOutcome> {
  const { admin, log } = ctx;
  const created: string[] = [];
  try {
    const checks: Array<RestoredCheck | undefined> = [];
    for (const [n, item] of items.entries()) {
      await createLike(ctx, item.temp, await describeNew(ctx, item));
      created.push(item.temp);
      checks.push(await fill(ctx, item, kinds[n]!, item.temp));
    }
    log.step(`Swapping in the restored database(s)${apps.length ? `; app containers: ${apps.join(', ')}` : ''}`);
    const started = Date.now();
    const { replaced, appsNotStarted, outageMs } = await swapDatabases(admin, items.map((i) => ({ live: i.live, restored: i.temp, old: i.old })), apps, log, ctx.signal);
    const outage = replaced.length > 0 ? `; new connections were refused for ${formatDuration(outageMs)}${apps.length ? ' (app stops included)' : ''}` : '';
    log.ok(`  swapped in ${formatDuration(Date.now() - started)}${outage}`);
    if (dropOld) {
      for (const p of replaced) {
        await admin.query(dropDatabaseSql(p.old));
        log.info(`  dropped the old database ${p.old} (--drop-old)`);
      }
    }
    const databases = items.map((item, n) => ({
      live: item.live,
      from: item.source.path,
      timestamp: item.source.stored?.manifest.timestamp,
      kept: !dropOld && replaced.some((p) => p.live === item.live) ? item.old : undefined,
      check: checks[n],
    }));
    return { databases, appsNotStarted };
  } finally {
    // After a successful swap the temporary names no longer exist; after a failure they go here.
    for (const name of created) {
      await admin.query(dropDatabaseSql(name)).catch((err: Error) => log.error(`could not drop temporary database ${name}: ${err.message}`));
    }
  }
}

