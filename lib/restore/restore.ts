// The restore command as a library call. The live database is touched only by the swap, after a
// verified copy is ready (or, with --in-place, only after a safety backup exists).
import fs from 'node:fs/promises';
import { chooseTimestamp } from '../backup/choose-timestamp.ts';
import { connectionEnv } from '../backup/connection-env.ts';
import { listStoredBackups, readManifest, type Manifest } from '../backup/manifest.ts';
import { loadConfig } from '../config/load.ts';
import { selectTargets, type Selection, type Target } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { PgkeepError, UsageError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { manifestName } from '../names.ts';
import { PgAdmin } from '../pg/admin.ts';
import { connectRuntime } from '../runtime/connect.ts';
import { detectArchive } from '../pg/archive.ts';
import { parseBackupSpec, resolveStored, type BackupSpec, type RestoreSource } from '../backup/backup-spec.ts';
import type { HeldLock } from '../files/lock.ts';
import { withTargetLock } from '../files/target-lock.ts';
import { confirmRestore, requireConfirmable, restoreWarning } from './confirm.ts';
import { checkIntegrity } from '../archive/integrity.ts';
import { planItems, siblings, singleTarget } from './plan.ts';
import { refuseOlderTarget } from './version-check.ts';
import { takeSafetyBackups } from './safety-backup.ts';
import { restoreThenSwap } from './restore-then-swap.ts';
import type { RestoredDatabase } from './new-database.ts';
import { requireApps } from './apps.ts';
import { restoreInPlace } from './in-place.ts';
import { commandHint, forTarget, type CommandHint } from '../cli/command-hint.ts';
import { prepareRoles } from './roles-step.ts';
import type { AppliedRoles } from '../globals/apply-globals.ts';
import { withOffsiteCopies } from '../offsite/fetch.ts';
import type { StoredBackup } from '../backup/manifest.ts';

export interface RestoreOptions extends Selection {
  config?: string | Config;
  /** latest, pre-deploy, a timestamp, or a file path (absolute or ./). */
  backup: string;
  label?: string;
  targetDb?: string;
  container?: string;
  yes?: boolean;
  safetyBackup?: boolean;
  dropOld?: boolean;
  inPlace?: boolean;
  noOwner?: boolean;
  /** Apply the set's roles file (globals_<ts>.sql) before restoring. */
  globals?: boolean;
  cwd?: string;
  now?: Date;
  log?: Logger;
  signal?: AbortSignal;
  /** Seconds to wait for another run's lock on the project/env; 0 (default) fails at once. */
  lockWait?: number;
  /** offsite: resolve BACKUP= against the bucket and download the files first. */
  from?: 'local' | 'offsite';
}

export interface RestoreResult {
  container: string;
  /** For the command that starts an app by hand. */
  engine: string;
  databases: RestoredDatabase[];
  safetyBackups: string[];
  /** App containers stopped for the restore that would not start again: a partial success. */
  appsNotStarted: string[];
  /** What --globals applied, one entry per roles file. */
  roles: AppliedRoles[];
}

export async function restore(opts: RestoreOptions): Promise<RestoreResult> {
  const log = opts.log ?? silentLogger();
  requireConfirmable(!!opts.yes);
  if (opts.inPlace && opts.safetyBackup === false) {
    throw new UsageError('--in-place refuses --no-safety-backup: the safety backup is the only way back if the restore fails');
  }
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const spec = parseBackupSpec(opts.backup, opts.cwd ?? process.cwd(), commandHint(config));
  const target = singleTarget(selectTargets(config, { project: opts.project, env: opts.env, db: spec.kind === 'file' ? undefined : opts.db }, { includeDisabled: true }));
  // A file named by path is checked before the lock, which creates the backup directory: a refusal touches nothing.
  if (opts.from === 'offsite' && spec.kind === 'file') throw new UsageError('FROM=offsite takes BACKUP=latest, pre-deploy or a timestamp, not a file path');
  const file = spec.kind === 'file' ? await fileSource(spec.path, opts) : undefined;
  return withTargetLock(target, { waitSeconds: opts.lockWait, log, signal: opts.signal }, (lock) => {
    const command = forTarget(commandHint(config), target.project.name, target.env);
    if (opts.from !== 'offsite' || spec.kind === 'file') return restoreLocked(opts, target, spec, lock, log, command, file);
    const databases = opts.db ? [opts.db] : target.databases;
    const pick = (stored: StoredBackup[], where: string) => resolveStored({ spec, stored, databases, label: opts.label, where, command }).map((s) => s.stored!);
    const fetch = { cfg: target.project.offsite, project: target.project.name, env: target.env, dir: lock.dir, pick, globals: !!opts.globals };
    return withOffsiteCopies(fetch, log, opts.signal, (chosen) => restoreLocked(opts, target, spec, lock, log, command, undefined, chosen));
  });
}

async function restoreLocked(opts: RestoreOptions, target: Target, spec: BackupSpec, lock: HeldLock, log: Logger, command: CommandHint, file?: RestoreSource, fetched?: StoredBackup[]): Promise<RestoreResult> {
  const { project, env } = target;
  const { dir } = lock;
  // From offsite: only the downloaded set, which BACKUP= resolves to again.
  const stored = fetched ?? (await listStoredBackups(dir, project.name, env));
  const sources =
    spec.kind === 'file'
      ? [file ?? (await fileSource(spec.path, opts))]
      : resolveStored({ spec, stored, databases: opts.db ? [opts.db] : target.databases, label: opts.label, where: dir, command, offsiteFallback: !!project.offsite });
  const now = opts.now ?? new Date();
  const items = planItems(sources, opts.targetDb, await chooseTimestamp([lock], now));
  for (const i of items) if (i.source.stored) await checkIntegrity(i.source.stored, siblings(stored, i.source.database), command);
  // An encrypted backup is opened here, before any engine is touched: a wrong identity stops the restore now.
  const kinds = await Promise.all(items.map((i) => detectArchive(i.source.path, { identityFile: project.encryption?.identityFile, plaintext: i.source.stored?.manifest.plaintext })));

  const runtime = await connectRuntime(project.runtime);
  const container = opts.container ?? project.container;
  await runtime.requireRunning(container);
  const pgEnv = await connectionEnv(project);
  // Administration connects elsewhere than any database being replaced: a session there would block the rename.
  const maintenance = items.some((i) => i.live === 'postgres') ? 'template1' : 'postgres';
  const admin = new PgAdmin(runtime, container, project.user, pgEnv, maintenance);
  const targetVersion = await admin.versionNum();
  for (const [n, i] of items.entries()) await refuseOlderTarget(admin, i.source, kinds[n]!, targetVersion);

  // Apps matter only when a database they use (one of this env's) may be replaced; they must all
  // exist before the prompt, so a misspelt name stops the restore before anything is touched.
  const apps = container === project.container && items.some((i) => target.databases.includes(i.live)) ? (project.appContainers[env] ?? []) : [];
  await requireApps(runtime, apps, `${project.name}.database.app_containers`);
  const noOwner = opts.noOwner ?? project.noOwner;
  // The ways out repeat the restore as it was asked for, so they run as printed.
  const vars = { backup: opts.backup, db: opts.db, targetDb: opts.targetDb, label: opts.label, container: opts.container, inPlace: opts.inPlace, ...(opts.from === 'offsite' ? { from: 'offsite' as const } : {}) };
  const applyRoles = await prepareRoles({ admin, env: pgEnv, items, kinds, globals: !!opts.globals, noOwner, identityFile: project.encryption?.identityFile, command, vars, log, signal: opts.signal });
  const safety = opts.safetyBackup !== false;
  await confirmRestore(restoreWarning({ container, items, inPlace: !!opts.inPlace, safetyBackup: safety, now }), !!opts.yes, log.info, opts.signal);
  const roles = await applyRoles();
  const ctx = { admin, env: pgEnv, log, signal: opts.signal, targetVersion, noOwner, verify: project.backup.verifyOnRestore, command, identityFile: project.encryption?.identityFile };
  const safetyBackups = safety ? await takeSafetyBackups({ target, container, items, lock, runtime, env: pgEnv, log, signal: opts.signal, now, command }) : [];
  const { databases, appsNotStarted } = opts.inPlace
    ? await restoreInPlace(ctx, items, kinds, apps, safetyBackups)
    : await restoreThenSwap(ctx, items, kinds, apps, !!opts.dropOld);
  return { container, engine: runtime.kind, databases, safetyBackups: safetyBackups.map((s) => s.path), appsNotStarted, roles };
}

/** A file named by path: its manifest beside it if there is one, else DB=/TARGET_DB= names it. */
async function fileSource(file: string, opts: RestoreOptions): Promise<RestoreSource> {
  await fs.access(file).catch(() => {
    throw new UsageError(`BACKUP=${file}: no such file`);
  });
  const manifest = await manifestBeside(file);
  const database = opts.db ?? manifest?.database ?? opts.targetDb;
  if (!database) {
    throw new UsageError(`BACKUP=${file} is a file from elsewhere: say which database it is with DB= (or where it goes with TARGET_DB=)`);
  }
  return { database, path: file, ...(manifest ? { stored: { path: file, manifest } } : {}) };
}


/**
 * The manifest beside a file named by path, or undefined when there is none. One that is there but
 * cannot be read or parsed is refused: ignoring it would skip the sha256 check without a word.
 */
async function manifestBeside(file: string): Promise<Manifest | undefined> {
  const json = manifestName(file);
  try {
    return await readManifest(json);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0];
    throw new PgkeepError(
      `BACKUP=${file}: its manifest ${json} cannot be used (${why}), so the file's checksum cannot be checked`,
      `fix or restore ${json}; to restore the file without its manifest, move the manifest away and name the database with DB=`,
    );
  }
}
