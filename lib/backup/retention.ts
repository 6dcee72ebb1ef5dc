// Which backups of one database to keep: a pure decision, with the reasons recorded (restic's
// ApplyPolicy). Rules are OR-ed; a backup is removed only when no rule keeps it.
//
// - days: everything younger than N days, whatever its reason;
// - last, daily, weekly, monthly, yearly: restic's semantics over the backups taken for keeping
//   (manual and scheduled): the newest backup in each UTC day / ISO week / month / year bucket,
//   up to N buckets, newest buckets first;
// - pre_deploy: the newest N pre-deploy backups;
// - always: the newest good backup (never a pre-restore one), and timestamps in the future.
import type { BackupReason, RetentionPolicy } from '../config/types.ts';

export interface RetentionItem {
  /** Anything that identifies the backup to the caller (its path). */
  id: string;
  /** From the manifest's UTC timestamp, never from mtime. */
  time: Date;
  reason: BackupReason;
}

export interface RetentionDecision<T extends RetentionItem> {
  item: T;
  reasons: string[];
}

export interface RetentionPlan<T extends RetentionItem> {
  keep: RetentionDecision<T>[];
  remove: RetentionDecision<T>[];
  notes: string[];
}

const DAY_MS = 86_400_000;

type BucketRule = 'daily' | 'weekly' | 'monthly' | 'yearly';
const BUCKETS: Array<[BucketRule, (d: Date) => string]> = [
  ['daily', (d) => d.toISOString().slice(0, 10)],
  ['weekly', isoWeek],
  ['monthly', (d) => d.toISOString().slice(0, 7)],
  ['yearly', (d) => d.toISOString().slice(0, 4)],
];

export function isEmptyPolicy(p: RetentionPolicy): boolean {
  return Object.values(p).every((v) => v === undefined);
}

export function planRetention<T extends RetentionItem>(items: T[], policy: RetentionPolicy, now: Date): RetentionPlan<T> {
  const sorted = [...items].sort((a, b) => b.time.getTime() - a.time.getTime() || b.id.localeCompare(a.id));
  const reasons = new Map<T, string[]>(sorted.map((i) => [i, []]));
  const keep = (i: T, why: string) => reasons.get(i)!.push(why);
  const notes: string[] = [];
  const past = sorted.filter((i) => i.time.getTime() <= now.getTime());
  for (const i of sorted) if (i.time.getTime() > now.getTime()) keep(i, 'timestamp in the future');
  if (isEmptyPolicy(policy)) {
    notes.push('no retention rule is set: nothing is removed');
    for (const i of past) keep(i, 'no retention policy');
  }
  if (policy.days !== undefined) {
    for (const i of past) if (now.getTime() - i.time.getTime() < policy.days * DAY_MS) keep(i, `within ${policy.days} days`);
  }
  const regular = past.filter((i) => i.reason === 'manual' || i.reason === 'scheduled');
  if (policy.last !== undefined) regular.slice(0, policy.last).forEach((i, n) => keep(i, `last ${n + 1} of ${policy.last}`));
  for (const [rule, bucketOf] of BUCKETS) {
    const n = policy[rule];
    if (n !== undefined) keepBuckets(regular, n, rule, bucketOf, keep);
  }
  if (policy.preDeploy !== undefined) {
    past.filter((i) => i.reason === 'pre-deploy').slice(0, policy.preDeploy).forEach((i, n) => keep(i, `pre-deploy ${n + 1} of ${policy.preDeploy}`));
  }
  const newest = sorted.find((i) => i.reason !== 'pre-restore') ?? sorted[0];
  if (newest) keep(newest, 'newest good backup');
  const plan: RetentionPlan<T> = { keep: [], remove: [], notes };
  for (const item of sorted) {
    const why = reasons.get(item)!;
    if (why.length > 0) plan.keep.push({ item, reasons: why });
    else plan.remove.push({ item, reasons: [removalReason(item, policy, now)] });
  }
  return plan;
}

/** restic: walking newest first, keep the first backup of each new bucket until N buckets are kept. */
function keepBuckets<T extends RetentionItem>(newestFirst: T[], n: number, rule: BucketRule, bucketOf: (d: Date) => string, keep: (i: T, why: string) => void): void {
  let last: string | undefined;
  let count = 0;
  for (const i of newestFirst) {
    if (count >= n) return;
    const bucket = bucketOf(i.time);
    if (bucket === last) continue;
    last = bucket;
    count++;
    keep(i, `${rule} ${bucket}`);
  }
}

/** ISO 8601 week of a UTC date, e.g. 2026-W01 (the week with the year's first Thursday). */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

function removalReason(item: RetentionItem, policy: RetentionPolicy, now: Date): string {
  const age = `${Math.floor((now.getTime() - item.time.getTime()) / DAY_MS)} days old`;
  if (policy.days === undefined) return `kept by no rule (${age})`;
  const others = Object.entries(policy).some(([k, v]) => k !== 'days' && v !== undefined);
  return `older than ${policy.days} days${others ? ' and kept by no other rule' : ''} (${age})`;
}
