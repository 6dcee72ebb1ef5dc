// The verify command as a library call: the selected backups, each restored into a temporary
// database in the source container or in a scratch container, and the result written back into
// its manifest so list-backups shows it.
import path from 'node:path';
import { connectionEnv } from '../backup/connection-env.ts';
import { listStoredBackups, writeManifest, type StoredBackup } from '../backup/manifest.ts';
import { loadConfig } from '../config/load.ts';
import { selectTargets, type Selection, type Target } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { PgkeepError, UsageError } from '../errors.ts';
import { formatDuration, silentLogger, type Logger } from '../log.ts';
import { formatTimestamp } from '../names.ts';
import { PgAdmin } from '../pg/admin.ts';
import { parseBackupSpec, resolveStored } from '../backup/backup-spec.ts';
import { connectRuntime } from '../runtime/connect.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import { targetDir } from '../files/target-dir.ts';
import { withTargetLock } from '../files/target-lock.ts';
import { commandHint, forTarget, type CommandHint } from '../cli/command-hint.ts';
import { startScratch, waitForScratch } from './scratch.ts';
import { finishRun } from '../report/finish-run.ts';
import { reportFromError } from '../report/run-report.ts';
import { reportFromVerify } from './verify-report.ts';
import { verifyOne, type VerifyOutcome, type VerifyTarget } from './verify-one.ts';
import { plural } from '../plural.ts';
import { withOffsiteCopies } from '../offsite/fetch.ts';
import { readManifest } from '../backup/manifest.ts';
import { manifestName } from '../names.ts';

export type VerifyWhere = 'same-container' | 'scratch';

export interface VerifyOptions extends Selection {
  config?: string | Config;
  /** latest (default), a timestamp or pre-deploy; ignored with all. */
  backup?: string;
  all?: boolean;
  target?: VerifyWhere;
  dryRun?: boolean;
  log?: Logger;
  signal?: AbortSignal;
  lockWait?: number;
  /** offsite: verify the copies in the bucket (downloaded to a temporary file first). */
  from?: 'local' | 'offsite';
}

export interface VerifyResult {
  outcomes: VerifyOutcome[];
  /** With dryRun: what would be verified. */
  planned: StoredBackup[];
}

export class VerifyFailed extends PgkeepError {
  constructor(readonly result: VerifyResult) {
    const failed = result.outcomes.filter((o) => !o.ok).length;
    super(`${failed} of ${plural(result.outcomes.length, 'backup')} failed verification`);
  }
}

export async function verify(opts: VerifyOptions = {}): Promise<VerifyResult> {
  const log = opts.log ?? silentLogger();
  if (opts.target && opts.target !== 'same-container' && opts.target !== 'scratch') {
    throw new UsageError(`--target ${opts.target}: expected same-container or scratch`);
  }
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const targets = selectTargets(config, opts, { includeDisabled: true });
  const command = commandHint(config);
  const planned: StoredBackup[] = [];
  if (opts.dryRun && opts.from === 'offsite') {
    for (const t of targets) await fromOffsite(t, targetDir(t.project, t.env), opts, command, log, true, async (b) => void planned.push(...b));
    return { outcomes: [], planned };
  }
  if (opts.dryRun) {
    for (const t of targets) planned.push(...(await pickBackups(t, targetDir(t.project, t.env), opts, command)));
    return { outcomes: [], planned };
  }
  const outcomes: VerifyOutcome[] = [];
  const started = new Date();
  const runStamp = formatTimestamp(started);
  try {
    for (const t of targets) {
      await withTargetLock(t, { waitSeconds: opts.lockWait, log, signal: opts.signal }, async ({ dir }) => {
        if (opts.from === 'offsite') {
          return fromOffsite(t, dir, opts, command, log, false, async (backups) => {
            planned.push(...backups);
            if (backups.length > 0) outcomes.push(...(await verifyLocked(t, backups, opts, runStamp, log, (b) => recordBesideLocal(dir, b))));
          });
        }
        // Chosen under the lock: a backup pruned while this run waited is neither verified nor given its manifest back.
        const backups = await pickBackups(t, dir, opts, command);
        planned.push(...backups);
        if (backups.length > 0) outcomes.push(...(await verifyLocked(t, backups, opts, runStamp, log)));
      });
    }
  } catch (err) {
    // Like a scheduled run, a verify that fails as a whole is told and counted.
    await finishRun(config, reportFromError('verify', err as Error, planned.map(({ manifest: m }) => ({ project: m.project, env: m.env, database: m.database })), started, runStamp), log);
    throw err;
  }
  if (planned.length === 0) throw new PgkeepError('nothing to verify: no backups found for the selection', `make one first with: ${command('db-backup', { project: opts.project, env: opts.env, db: opts.db })}`);
  await finishRun(config, reportFromVerify(outcomes, started, runStamp), log);
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) throw new VerifyFailed({ outcomes, planned });
  return { outcomes, planned };
}

async function pickBackups(t: Target, dir: string, opts: VerifyOptions, command: CommandHint): Promise<StoredBackup[]> {
  return chooseBackups(t, await listStoredBackups(dir, t.project.name, t.env), dir, opts, command);
}

/** FROM=offsite: the same choice made over the bucket's manifests, the files downloaded (unless listOnly) for `use`. */
function fromOffsite(t: Target, dir: string, opts: VerifyOptions, command: CommandHint, log: Logger, listOnly: boolean, use: (b: StoredBackup[]) => Promise<void>): Promise<void> {
  const pick = (stored: StoredBackup[], where: string) => chooseBackups(t, stored, where, opts, command);
  return withOffsiteCopies({ cfg: t.project.offsite, project: t.project.name, env: t.env, dir, pick, listOnly }, log, opts.signal, use);
}

/**
 * A verified offsite copy has the bytes of the local backup of the same name (same sha256), so the
 * proof is recorded in the local manifest when there is one; the bucket's manifest copy is left as uploaded.
 */
async function recordBesideLocal(dir: string, b: StoredBackup): Promise<void> {
  const local = await readManifest(path.join(dir, manifestName(b.manifest.file))).catch(() => undefined);
  if (local && local.sha256 === b.manifest.sha256) await writeManifest(dir, { ...local, verified: b.manifest.verified });
}

function chooseBackups(t: Target, all: StoredBackup[], dir: string, opts: VerifyOptions, command: CommandHint): StoredBackup[] {
  const stored = all.filter((b) => t.databases.includes(b.manifest.database));
  if (opts.all) return stored;
  const spec = parseBackupSpec(opts.backup ?? 'latest', process.cwd(), command);
  if (spec.kind === 'file') {
    const hit = stored.filter((b) => b.path === spec.path);
    if (hit.length === 0) throw new UsageError(`${spec.path} is not a backup with a manifest in ${dir}`);
    return hit;
  }
  if (stored.length === 0) return [];
  return resolveStored({ spec, stored, databases: t.databases.filter((db) => stored.some((b) => b.manifest.database === db)), where: dir, command: forTarget(command, t.project.name, t.env) }).map((s) => s.stored!);
}

type Record = (b: StoredBackup) => Promise<void>;
const recordLocal: Record = (b) => writeManifest(path.dirname(b.path), b.manifest).then(() => undefined);

async function verifyLocked(t: Target, backups: StoredBackup[], opts: VerifyOptions, runStamp: string, log: Logger, record: Record = recordLocal): Promise<VerifyOutcome[]> {
  const runtime = await connectRuntime(t.project.runtime);
  const source = await runtime.requireRunning(t.project.container);
  const env = await connectionEnv(t.project);
  let scratch: string | undefined;
  try {
    let container = t.project.container;
    if (opts.target === 'scratch') {
      log.step(`Starting a scratch container from ${source.image}`);
      const started = Date.now();
      scratch = container = await startScratch(runtime, source.image, t.project.user, { init: source.init });
      await waitForScratch(runtime, scratch, t.project.user, opts.signal);
      log.info(`  scratch container ${scratch} ready in ${formatDuration(Date.now() - started)}`);
    }
    const admin = new PgAdmin(runtime, container, t.project.user, scratch ? {} : env);
    const vt: VerifyTarget = { admin, env: scratch ? {} : env, label: scratch ? `scratch:${source.image}` : `same-container:${container}`, versionNum: await admin.versionNum(), identityFile: t.project.encryption?.identityFile };
    const outcomes: VerifyOutcome[] = [];
    for (const b of backups) {
      log.step(`Verifying ${b.path} (${vt.label})`);
      const o = await verifyOne(b, vt, runStamp, log, opts.signal);
      await record({ path: b.path, manifest: { ...b.manifest, verified: o.verification } });
      if (o.ok) log.ok(`  ok in ${formatDuration(o.durationMs)}: ${plural(o.check?.tables ?? 0, 'table')}, ${plural(o.check?.rows ?? 0, 'row')} (${o.check?.compared})`);
      else log.error(`${b.path}: ${o.error}`);
      outcomes.push(o);
    }
    return outcomes;
  } finally {
    if (scratch) await removeScratch(runtime, scratch, log);
  }
}

async function removeScratch(runtime: ContainerRuntime, name: string, log: Logger): Promise<void> {
  await runtime.remove(name).then(
    () => log.info(`  removed scratch container ${name}`),
    (err: Error) => log.error(`could not remove scratch container ${name}: ${err.message}; remove it by hand: ${runtime.kind} rm -f ${name}`),
  );
}
