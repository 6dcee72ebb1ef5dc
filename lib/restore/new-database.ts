// What both restore modes share: creating a database shaped like the backup (encoding, locale,
// owner), loading the archive into it and verifying the result against the manifest and the TOC.
import type { Logger } from '../log.ts';
import { formatDuration } from '../log.ts';
import { createDatabaseSql } from '../pg/admin-sql.ts';
import type { PgAdmin } from '../pg/admin.ts';
import { parseServerFacts, SERVER_FACTS_SQL, type ServerFacts } from '../pg/queries.ts';
import { isCustom, type ArchiveKind } from '../pg/archive.ts';
import { readTableEntries } from '../pg/toc.ts';
import { loadArchive } from '../archive/load-archive.ts';
import { verifyRestored, type RestoredCheck } from '../archive/verify-restored.ts';
import type { RestoreItem } from './plan.ts';
import type { CommandHint } from '../cli/command-hint.ts';
import { plural } from '../plural.ts';
import { applyDatabaseAcl, ownerFor } from './database-acl.ts';

export interface RestoreContext {
  admin: PgAdmin;
  env: Record<string, string>;
  log: Logger;
  signal?: AbortSignal;
  targetVersion: number;
  noOwner: boolean;
  verify: boolean;
  /** Prints paste-able commands for this project/env (forTarget). */
  command: CommandHint;
  /** The project's encryption.identity_file: the safety backup may need it to be put back. */
  identityFile?: string;
}

export interface RestoredDatabase {
  live: string;
  from: string;
  timestamp?: string;
  /** Where the replaced database is kept; absent when there was none or it was dropped. */
  kept?: string;
  check?: RestoredCheck;
}

/** What a restore mode did: the databases now live, and app containers that would not start again. */
export interface RestoreOutcome {
  databases: RestoredDatabase[];
  appsNotStarted: string[];
}

export interface NewDatabase {
  facts: Partial<ServerFacts>;
  owner?: string;
}

/** The backup's encoding and locale (the live database's, for a foreign file), and the live owner (else the backup's). */
export async function describeNew(ctx: RestoreContext, item: RestoreItem): Promise<NewDatabase> {
  const live = await ctx.admin.databaseInfo(item.live);
  const facts = item.source.stored?.manifest.server ?? (live ? await liveFacts(ctx.admin, item.live) : { encoding: 'UTF8' });
  return { facts, owner: await ownerFor(ctx.admin, live?.owner, item.source.stored?.manifest.server, ctx.noOwner, ctx.log) };
}

export async function createLike(ctx: RestoreContext, name: string, d: NewDatabase): Promise<void> {
  await ctx.admin.query(createDatabaseSql(name, d.facts, d.owner, ctx.targetVersion));
}

async function liveFacts(admin: PgAdmin, database: string): Promise<ServerFacts> {
  return parseServerFacts(await admin.query(SERVER_FACTS_SQL, database));
}

/** Loads the archive into `database` and verifies it against the manifest. */
export async function fill(ctx: RestoreContext, item: RestoreItem, kind: ArchiveKind, database: string): Promise<RestoredCheck | undefined> {
  const { log } = ctx;
  log.step(`Restoring ${item.source.path} into ${database}`);
  const started = Date.now();
  await loadArchive({ admin: ctx.admin, database, file: item.source.path, kind, noOwner: ctx.noOwner, env: ctx.env, log, signal: ctx.signal });
  log.info(`  restored in ${formatDuration(Date.now() - started)}`);
  if (!ctx.noOwner) await applyDatabaseAcl(ctx.admin, database, item.source.stored?.manifest.server, log, ctx.signal);
  if (!ctx.verify) {
    log.warn('verify_on_restore is off: the row counts are not compared');
    return undefined;
  }
  const toc = isCustom(kind) ? await readTableEntries(ctx.admin.runtime, ctx.admin.container, item.source.path, kind, ctx.env) : undefined;
  const check = await verifyRestored(ctx.admin, database, item.source.stored?.manifest, ctx.signal, toc);
  const how =
    check.compared === 'exact' ? 'every table\'s row count matches the backup'
    : check.compared === 'estimate' ? 'tables match (counts were estimates)'
    : item.source.stored ? 'tables match (row_counts: off, so there are no counts to compare)'
    : 'no manifest to compare with';
  log.ok(`  verified: ${plural(check.tables, 'table')}, ${plural(check.rows, 'row')}; ${how}`);
  return check;
}
