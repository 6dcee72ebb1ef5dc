// The backup command as a library call: every selected project/env/database under one timestamp,
// `latest` moved per database after a fully good backup; pruning (scheduled runs only) only when
// the whole run succeeded.
import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import { selectTargets, type Selection, type Target } from '../config/select.ts';
import type { BackupReason, Config } from '../config/types.ts';
import { ExitCode, InterruptedError, LockedError, PgkeepError } from '../errors.ts';
import { withTargetLocks, type HeldLocks, type RefusedTarget } from '../files/target-lock.ts';
import { formatBytes, formatDuration, silentLogger, type Logger } from '../log.ts';
import { connectRuntime } from '../runtime/connect.ts';
import { commandHint, type CommandHint } from '../cli/command-hint.ts';
import { plural } from '../plural.ts';
import { chooseTimestamp } from './choose-timestamp.ts';
import { dumpDatabase, type BackupFile } from './dump-database.ts';
import { updateLatest } from './latest.ts';
import { pruneDatabase, type PruneResult } from './prune-database.ts';
import { backupGlobals, type GlobalsFile } from '../globals/backup-globals.ts';
import { offsiteFailures, uploadAfterRun } from '../offsite/after-run.ts';
import type { OffsiteUpload } from '../offsite/sync.ts';
import { pruneOffsiteAfterRun } from '../offsite/remote-prune.ts';

export interface BackupOptions extends Selection {
  /** A path to projects.yml, or a loaded Config. */
  config?: string | Config;
  reason?: BackupReason;
  label?: string;
  /**
   * Apply retention after the run. Default false: only scheduled runs (and db-prune) remove old
   * backups, so a manual or pre-deploy backup before risky work never deletes one. A failed
   * database anywhere in the run turns it off.
   */
  prune?: boolean;
  now?: Date;
  signal?: AbortSignal;
  log?: Logger;
  /** Seconds to wait for another run's lock on a project/env; 0 (default) fails at once. */
  lockWait?: number;
  /** How many databases to back up at once (default 1). */
  concurrency?: number;
  /** Locks the caller holds (pre-deploy): reused, neither waited on nor released here. */
  held?: HeldLocks;
}

export interface DatabaseFailure {
  project: string;
  env: string;
  database: string;
  error: Error;
}

export interface BackupResult {
  timestamp: string;
  files: BackupFile[];
  failures: DatabaseFailure[];
  pruned: PruneResult[];
  /** The roles file written for each project/env of the set (globals: true). */
  globals: GlobalsFile[];
  /** Offsite uploads of this run (projects with offsite:), good and failed. */
  offsite?: OffsiteUpload[];
  /** Offsite retention applied after a fully good run. */
  offsitePruned?: PruneResult[];
}

/** Thrown when any database failed; carries the result, so the files that were written are known. */
export class BackupFailed extends PgkeepError {
  constructor(readonly result: BackupResult) {
    const n = result.failures.length;
    super(`${n} of ${plural(n + result.files.length, 'database backup')} failed`);
  }
  override get exitCode(): number {
    return this.result.files.length > 0 ? ExitCode.partial : ExitCode.failure;
  }
}

/** Every local backup is good but an offsite upload failed: partial (exit 3); the next run retries it. */
export class OffsiteUploadFailed extends BackupFailed {
  constructor(result: BackupResult) {
    super(result);
    const n = offsiteFailures(result.offsite).length;
    this.message = `every local backup is good, but ${n} offsite ${n === 1 ? 'upload' : 'uploads'} failed; the next run retries (or: make db-offsite-sync)`;
  }
  override get exitCode(): number {
    return ExitCode.partial;
  }
}

export async function backup(opts: BackupOptions = {}): Promise<BackupResult> {
  const log = opts.log ?? silentLogger();
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const targets = selectTargets(config, opts, { includeDisabled: opts.project !== undefined });
  const lockOpts = { waitSeconds: opts.lockWait, log, signal: opts.signal, held: opts.held };
  const outcome = await withTargetLocks(targets, lockOpts, async ({ locked, refused }) => {
    if (locked.length === 0 && refused.every((r) => r.error instanceof LockedError)) throw nothingLocked(refused, log);
    // Chosen under the locks, never before: a run that waited sees the files of the run it waited for.
    const timestamp = await chooseTimestamp(locked.map((l) => l.lock), opts.now ?? new Date());
    const result: BackupResult = { timestamp, files: [], failures: [], pruned: [], globals: [] };
    for (const r of refused) refuse(result, log, r);
    const jobs = locked.flatMap(({ target, lock }) => target.databases.map((database): Job => ({ target, database, dir: lock.dir })));
    await runPool(jobs, opts.concurrency ?? 1, (job) => backupOne(job, timestamp, opts, log, result));
    await backupGlobals(locked, timestamp, result, { log, signal: opts.signal, deadline: withDeadline, logError });
    if (!opts.signal?.aborted && opts.reason !== 'pre-restore') result.offsite = await uploadAfterRun(locked, log, opts.signal);
    restoreHints(result, commandHint(config), log);
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new InterruptedError('SIGTERM');
    if (opts.prune === true) await pruneAfterRun(targets, result, log);
    if (opts.prune === true && result.failures.length === 0 && offsiteFailures(result.offsite).length === 0) {
      result.offsitePruned = await pruneOffsiteAfterRun(locked, log, opts.signal);
    }
    return result;
  });
  if (outcome.failures.length > 0) throw new BackupFailed(outcome);
  if (offsiteFailures(outcome.offsite).length > 0) throw new OffsiteUploadFailed(outcome);
  return outcome;
}

interface Job {
  target: Target;
  database: string;
  /** The target's directory, locked by this run. */
  dir: string;
}

/** Every target is held by other runs: the first refusal is the run's error (the boundary prints it), the others are said here. */
function nothingLocked(refused: RefusedTarget[], log: Logger): Error {
  for (const r of refused.slice(1)) logError(log, undefined, r.error);
  return refused[0]!.error;
}

/** A target that could not be locked: one message for the target (it names it), one failure per database for the reports. */
function refuse(result: BackupResult, log: Logger, { target, error }: RefusedTarget): void {
  for (const database of target.databases) result.failures.push({ project: target.project.name, env: target.env, database, error });
  logError(log, undefined, error);
}

async function backupOne({ target, database, dir }: Job, timestamp: string, opts: BackupOptions, log: Logger, result: BackupResult): Promise<void> {
  const { project, env } = target;
  const reason = opts.reason ?? 'manual';
  if (opts.signal?.aborted) return;
  try {
    const runtime = await connectRuntime(project.runtime);
    log.step(`Backing up ${project.name}/${env}/${database} from container ${project.container} (${runtime.kind})`);
    const file = await withDeadline(project.timeoutSeconds, `the backup of "${database}"`, opts.signal, (signal) =>
      dumpDatabase({ project, env, database, dir, timestamp, reason, label: opts.label }, { runtime, log, signal }),
    );
    if (reason !== 'pre-restore') await updateLatest(file);
    result.files.push(file);
    report(log, file);
  } catch (err) {
    if (opts.signal?.aborted) return;
    fail(result, log, target, database, err as Error);
  }
}

/** Runs jobs with at most `n` at a time; each job handles its own errors. */
async function runPool<T>(jobs: T[], n: number, run: (job: T) => Promise<void>): Promise<void> {
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) await run(job);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, worker));
}

function restoreHints(result: BackupResult, command: CommandHint, log: Logger): void {
  const sets = new Set(result.files.map((f) => `${f.project}\0${f.env}`));
  for (const key of sets) {
    const [project, env] = key.split('\0');
    log.info(`To restore this set: ${command('db-restore', { project, env, backup: result.timestamp })}`);
  }
}

function report(log: Logger, f: BackupFile): void {
  const m = f.manifest;
  const rows = m.tables.reduce((n, t) => n + (t.rows ?? 0), 0);
  const counted = m.row_counts === 'off' ? '' : `, ${plural(rows, 'row')}${m.row_counts === 'estimate' ? ' (estimated)' : ''}`;
  log.ok(`  ${f.database}: ${formatBytes(m.size)} in ${formatDuration(m.duration_ms)}, ${plural(m.tables.length, 'table')}${counted}, sha256 ${m.sha256.slice(0, 12)}…`);
  log.info(`  written ${f.path}`);
  log.result(f.path);
}

function fail(result: BackupResult, log: Logger, t: Target, database: string, error: Error): void {
  result.failures.push({ project: t.project.name, env: t.env, database, error });
  logError(log, `${t.project.name}/${t.env}/${database}`, error);
}

function logError(log: Logger, what: string | undefined, error: Error): void {
  log.error(what ? `${what}: ${error.message}` : error.message);
  const hint = (error as PgkeepError).hint;
  if (hint) log.info(`  ${hint}`);
  if (log.verbose && error.stack) log.debug(error.stack);
}

async function pruneAfterRun(targets: Target[], result: BackupResult, log: Logger): Promise<void> {
  if (result.failures.length > 0) {
    log.warn(`pruning skipped: ${plural(result.failures.length, 'backup')} failed in this run, so no old backup is removed`);
    return;
  }
  const offsiteFailed = offsiteFailures(result.offsite).length;
  if (offsiteFailed > 0) {
    // A local copy may be the only one while its upload is pending.
    log.warn(`pruning skipped: ${plural(offsiteFailed, 'offsite upload')} failed in this run, so no old backup is removed, here or offsite`);
    return;
  }
  for (const f of result.files) {
    const target = targets.find((t) => t.project.name === f.project && t.env === f.env)!;
    const pruned = await pruneDatabase(path.dirname(f.path), target.project, f.env, f.database, new Date(), log);
    result.pruned.push(pruned);
  }
}

/**
 * The per-database time bound from the config (`timeout`), on top of the run's own signal. `run`
 * must stop its work when the signal aborts (dumpDatabase ends its server sessions and processes)
 * and reject with the signal's reason, which names the timeout and what it bounded.
 */
async function withDeadline<T>(seconds: number, what: string, outer: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const message = `${what} timed out after ${seconds} s (the project's timeout) and was stopped`;
  const hint = 'raise timeout: in projects.yml (the project\'s database: block or defaults:), or find what blocks it (a long lock: pg_stat_activity)';
  const timer = setTimeout(() => ac.abort(new PgkeepError(message, hint)), seconds * 1000);
  const signal = outer ? AbortSignal.any([outer, ac.signal]) : ac.signal;
  try {
    return await run(signal);
  } finally {
    clearTimeout(timer);
  }
}
