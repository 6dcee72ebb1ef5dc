// One database, one backup file: snapshot, stream, hash, check, commit, manifest.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { BackupReason, ProjectConfig } from '../config/types.ts';
import { createPartial, commitPartial, HashingFileSink } from '../files/atomic.ts';
import { warnIfOthersCanWrite } from '../files/shared-dir.ts';
import { ExecError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { backupFileName, fileExtension, partialName, type FileExtension } from '../names.ts';
import { pgDumpArgs } from '../pg/args.ts';
import { firstError } from '../pg/psql-session.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import { VERSION } from '../version.ts';
import { checkDump, PlaintextCheck } from './check-dump.ts';
import { encryptStage } from '../crypto/age-file.ts';
import { connectionEnv } from './connection-env.ts';
import { MANIFEST_VERSION, writeManifest, type Manifest } from './manifest.ts';
import { trackProgress } from './progress.ts';
import { openSnapshot, type Snapshot } from './snapshot.ts';
import { workStopper } from './abort-work.ts';

export interface DumpTarget {
  project: ProjectConfig;
  env: string;
  database: string;
  /** Absolute directory of this project/env. */
  dir: string;
  timestamp: string;
  reason: BackupReason;
  label?: string;
}

export interface DumpContext {
  runtime: ContainerRuntime;
  log: Logger;
  signal?: AbortSignal;
}

export interface BackupFile {
  project: string;
  env: string;
  database: string;
  timestamp: string;
  /** Absolute path of the backup file. */
  path: string;
  manifestPath: string;
  manifest: Manifest;
}

export const extensionFor = (p: ProjectConfig): FileExtension => fileExtension(p.format, !!p.encryption);

export async function dumpDatabase(t: DumpTarget, ctx: DumpContext): Promise<BackupFile> {
  const { project, database } = t;
  const startedAt = new Date();
  await warnIfOthersCanWrite(project.backupDir, ctx.log);
  const info = await ctx.runtime.requireRunning(project.container);
  const baseEnv = await connectionEnv(project);
  // Every engine call below is bounded by ctx.signal (the timeout): on abort the server sessions
  // end, so the processes in the container end too, and only then is the partial file removed.
  const stopper = workStopper(ctx.runtime, { container: project.container, user: project.user, database, env: baseEnv }, ctx.log, ctx.signal);
  const env = { ...baseEnv, PGAPPNAME: stopper.appName };
  // Calls that hold no server session stop at once: their stream's end is their end.
  const sessionless = ctx.signal ? AbortSignal.any([ctx.signal, stopper.cut]) : stopper.cut;
  const fileName = backupFileName(database, t.timestamp, extensionFor(project));
  const finalPath = path.join(t.dir, fileName);
  const partial = path.join(t.dir, partialName(fileName));
  const stopped = () => {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
  };
  let snapshot: Snapshot | undefined;
  let dumping: Promise<unknown> | undefined;
  let plain: PlaintextCheck | undefined;
  let committed = false;
  try {
    const pgDumpVersion = await clientVersion(ctx.runtime, project.container, sessionless);
    snapshot = await openSnapshot(ctx.runtime, project, database, env, stopper.cut, ctx.log);
    stopped();
    const handle = await createPartial(partial);
    const hasher = new HashingFileSink(handle, partial);
    const checkTarget = { runtime: ctx.runtime, container: project.container, env, signal: sessionless };
    // Encrypted: the plaintext is checked on its way to age, since it can never be read back here.
    plain = project.encryption ? new PlaintextCheck(project.format, checkTarget) : undefined;
    const encrypt = project.encryption ? [plain!, encryptStage(project.encryption.recipients, partial)] : [];
    const chain = [...(project.format === 'plain' ? [createGzip({ level: project.compression })] : []), ...encrypt, hasher];
    const argv = pgDumpArgs({ user: project.user, database, format: project.format, compression: project.compression, snapshot: snapshot.id });
    const progress = trackProgress(ctx.log, database, () => hasher.bytes);
    const dump = ctx.runtime.exec(project.container, argv, { stdout: chain, env, signal: stopper.cut }).finally(progress.stop);
    dumping = dump;
    const [result, tables] = await Promise.all([dump, snapshot.countTables(project.rowCounts)]);
    stopped();
    if (result.exitCode !== 0) {
      throw new ExecError(
        `pg_dump of "${database}" in container "${project.container}" failed (exit ${result.exitCode}): ${firstError(result.stderr) ?? 'no message'}`,
        project.container, argv, result.exitCode, result.stderr,
      );
    }
    await snapshot.close();
    if (plain) await plain.result();
    else await checkDump(partial, project.format, hasher.bytes, checkTarget);
    stopped();
    await commitPartial(partial, finalPath);
    committed = true;
    const finishedAt = new Date();
    const manifest: Manifest = {
      manifest_version: MANIFEST_VERSION,
      tool: { name: 'pgkeep', version: VERSION },
      project: project.name, env: t.env, database, timestamp: t.timestamp, file: fileName,
      reason: t.reason, ...(t.label ? { label: t.label } : {}),
      container: project.container, image: info.image, engine: ctx.runtime.kind,
      format: project.format,
      compression: { method: 'gzip', level: project.compression, by: project.format === 'custom' ? 'pg_dump' : 'pgkeep' },
      size: hasher.bytes, sha256: hasher.digest(),
      ...(project.encryption && plain
        ? { encryption: { method: 'age' as const, recipients: project.encryption.recipients }, plaintext: { size: plain.bytes, sha256: plain.digest() } }
        : {}),
      started_at: startedAt.toISOString(), finished_at: finishedAt.toISOString(),
      duration_ms: finishedAt.getTime() - startedAt.getTime(),
      server: snapshot.facts, pg_dump_version: pgDumpVersion,
      row_counts: project.rowCounts, tables,
    };
    const manifestPath = await writeManifest(t.dir, manifest);
    return { project: project.name, env: t.env, database, timestamp: t.timestamp, path: finalPath, manifestPath, manifest };
  } catch (err) {
    // The run's reason (a timeout, a signal) explains more than pg_dump's "terminating connection".
    const reason = ctx.signal?.aborted ? ctx.signal.reason : err;
    await stopper.stop(reason);
    await dumping?.catch(() => undefined);
    plain?.destroy();
    await plain?.result().catch(() => undefined);
    await snapshot?.close().catch(() => undefined);
    // Nothing half-made survives: the temporary file, and a committed file whose manifest failed.
    await fs.rm(partial, { force: true });
    if (committed) await fs.rm(finalPath, { force: true });
    throw reason;
  } finally {
    await snapshot?.close().catch(() => {});
    stopper.dispose();
  }
}

async function clientVersion(runtime: ContainerRuntime, container: string, signal: AbortSignal): Promise<string> {
  const r = await runtime.exec(container, ['pg_dump', '--version'], { signal });
  if (r.exitCode !== 0) {
    throw new ExecError(
      `pg_dump is not available in container "${container}" (exit ${r.exitCode}): is it a PostgreSQL container?`,
      container, ['pg_dump', '--version'], r.exitCode, r.stderr,
    );
  }
  return r.stdout.trim().replace(/^pg_dump \(PostgreSQL\) /, '');
}
