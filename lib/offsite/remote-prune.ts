// Offsite retention: its own policy (offsite.retention), planned by the same planRetention over
// the manifests in the bucket, per database, so it never crosses project/env/database and never
// removes the newest good copy. The stored object goes first, then its manifest copy.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { PruneResult, StoredItem } from '../backup/prune-database.ts';
import { planRetention } from '../backup/retention.ts';
import type { ProjectConfig } from '../config/types.ts';
import type { LockedTarget } from '../files/target-lock.ts';
import type { Logger } from '../log.ts';
import { manifestName, parseTimestamp } from '../names.ts';
import { plural } from '../plural.ts';
import { offsiteClient, type OffsiteClient } from './client.ts';
import { listRemoteGlobals } from './remote-globals.ts';
import { listRemote, type RemoteBackup } from './remote-list.ts';
import { s3Error } from './s3-error.ts';

export function planRemote(remote: RemoteBackup[], database: string, policy: ProjectConfig['backup']['retention'], now: Date): PruneResult['plan'] {
  const items: StoredItem[] = remote
    .filter((b) => b.manifest.database === database)
    .map((b) => ({ id: b.url, time: parseTimestamp(b.manifest.timestamp) ?? new Date(b.manifest.started_at), reason: b.manifest.reason, backup: { path: b.url, manifest: b.manifest } }));
  return planRetention(items, policy, now);
}

/** Plans (and unless dryRun, applies) offsite retention for every database of one project/env. */
export async function pruneRemote(c: OffsiteClient, project: ProjectConfig, env: string, databases: string[], now: Date, log: Logger, dryRun: boolean, signal?: AbortSignal): Promise<PruneResult[]> {
  const remote = await listRemote(c, project.name, env, signal);
  const out: PruneResult[] = [];
  const removedSets = new Set<string>();
  for (const database of databases) {
    const plan = planRemote(remote, database, c.cfg.retention, now);
    if (!dryRun) {
      for (const d of plan.remove) {
        removedSets.add(d.item.backup.manifest.timestamp);
        if (signal?.aborted) throw signal.reason;
        const key = d.item.id.slice(`s3://${c.cfg.bucket}/`.length);
        await deleteKey(c, key, signal);
        await deleteKey(c, manifestName(key), signal);
        log.info(`  removed ${d.item.id} (${d.reasons.join('; ')})`);
      }
      if (plan.remove.length > 0) log.info(`  pruned ${plural(plan.remove.length, 'old offsite copy', 'old offsite copies')} of ${database}`);
    }
    out.push({ project: project.name, env, database, plan, dryRun, offsite: true });
  }
  await pruneRemoteGlobals(c, project.name, env, removedSets, log, signal);
  return out;
}

/**
 * A set's roles object goes with the last dump object of its timestamp, never before: the folder is
 * listed again after the dumps' removal, and any dump object left there (of a database this run
 * did not select, or one whose manifest is damaged) keeps the set's roles.
 */
async function pruneRemoteGlobals(c: OffsiteClient, project: string, env: string, timestamps: Set<string>, log: Logger, signal?: AbortSignal): Promise<void> {
  if (timestamps.size === 0) return;
  const { globals, dumpTimestamps } = await listRemoteGlobals(c, project, env, signal);
  for (const g of globals) {
    const ts = g.manifest.timestamp;
    if (!timestamps.has(ts) || dumpTimestamps.has(ts)) continue;
    await deleteKey(c, g.key, signal);
    await deleteKey(c, manifestName(g.key), signal);
    log.info(`  removed ${g.url} (the roles of set ${ts}, whose last offsite copy was pruned)`);
  }
}

async function deleteKey(c: OffsiteClient, key: string, signal?: AbortSignal): Promise<void> {
  await c.s3.send(new DeleteObjectCommand({ Bucket: c.cfg.bucket, Key: key }), { abortSignal: signal }).catch((err: unknown) => {
    throw s3Error(c, `removing s3://${c.cfg.bucket}/${key}`, err);
  });
}

/** After a fully good scheduled run: each locked project/env with offsite: configured. */
export async function pruneOffsiteAfterRun(locked: LockedTarget[], log: Logger, signal?: AbortSignal, now = new Date()): Promise<PruneResult[]> {
  const out: PruneResult[] = [];
  for (const { target } of locked) {
    const cfg = target.project.offsite;
    if (!cfg) continue;
    const c = await offsiteClient(cfg);
    try {
      out.push(...(await pruneRemote(c, target.project, target.env, target.databases, now, log, false, signal)));
    } catch (err) {
      // The backups are good and uploaded; a failed offsite prune only leaves old copies for the next run.
      log.warn(`offsite pruning of ${target.project.name}/${target.env} failed: ${(err as Error).message}`);
    } finally {
      c.s3.destroy();
    }
  }
  return out;
}
