// --in-place, for disks too small for two copies: the seed's way (stop the apps, drop, recreate,
// restore, verify, start the apps), made safe by a mandatory safety backup that is restored by
// itself if anything fails.
import type { BackupFile } from '../backup/dump-database.ts';
import { PgkeepError } from '../errors.ts';
import { dropDatabaseSql } from '../pg/admin-sql.ts';
import { detectArchive, type ArchiveKind } from '../pg/archive.ts';
import type { RestoreItem } from './plan.ts';
import { createLike, describeNew, fill, type NewDatabase, type RestoreContext, type RestoredDatabase, type RestoreOutcome } from './new-database.ts';
import { startApps, stopApps } from './apps.ts';

export async function restoreInPlace(ctx: RestoreContext, items: RestoreItem[], kinds: ArchiveKind[], apps: string[], safety: BackupFile[]): Promise<RestoreOutcome> {
  const stopped: string[] = [];
  const done: RestoredDatabase[] = [];
  let appsNotStarted: string[] = [];
  try {
    // A safety backup exists exactly when a live database is about to be replaced.
    if (safety.length > 0) await stopApps(ctx.admin, apps, stopped, ctx.log);
    for (const [n, item] of items.entries()) {
      const shape = await describeNew(ctx, item); // owner and locale, learned before the database goes
      try {
        ctx.log.step(`Dropping and recreating ${item.live} (--in-place)`);
        await ctx.admin.query(dropDatabaseSql(item.live));
        await createLike(ctx, item.live, shape);
        done.push({ live: item.live, from: item.source.path, timestamp: item.source.stored?.manifest.timestamp, check: await fill(ctx, item, kinds[n]!, item.live) });
      } catch (err) {
        await recover(ctx, item, shape, safety, err as Error);
        throw err;
      }
    }
  } finally {
    appsNotStarted = await startApps(ctx.admin, stopped, ctx.log);
  }
  return { databases: done, appsNotStarted };
}

async function recover(ctx: RestoreContext, item: RestoreItem, shape: NewDatabase, safety: BackupFile[], cause: Error): Promise<void> {
  const log = ctx.log;
  const backup = safety.find((s) => s.database === item.live);
  // Recovery must finish even though the run was interrupted: it runs without the signal.
  const calm = { ...ctx, signal: undefined };
  log.error(`the in-place restore of ${item.live} failed: ${cause.message}`);
  if (!backup) {
    log.info(`  there was no database ${item.live} before this restore: removing the partial one`);
    await ctx.admin.query(dropDatabaseSql(item.live)).catch(() => undefined);
    return;
  }
  log.step(`Putting ${item.live} back from the safety backup ${backup.path}`);
  const source = { database: item.live, path: backup.path, stored: { path: backup.path, manifest: backup.manifest } };
  try {
    await ctx.admin.query(dropDatabaseSql(item.live));
    await createLike(calm, item.live, { facts: backup.manifest.server, owner: shape.owner });
    await fill(calm, { ...item, source }, await detectArchive(backup.path, { identityFile: ctx.identityFile, plaintext: backup.manifest.plaintext }), item.live);
    log.ok(`  ${item.live} is back as it was before the restore (from ${backup.path})`);
  } catch (err) {
    throw new PgkeepError(
      `the in-place restore failed AND putting back the safety backup failed: ${(err as Error).message}`,
      `restore it by hand: ${ctx.command('db-restore', { backup: backup.path, db: item.live, yes: true })}`,
    );
  }
}
