// One database, one backup file: snapshot, stream, hash, check, commit, manifest.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { BackupReason, ProjectConfig } from '../config/types.ts';
import { createPartial, commitPartial, HashingFileSink } from '../files/atomic.ts';
import { warnIfOthersCanWrite } from '../files/shared-dir.ts';
import { ExecError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { backupFileName, partialName, type FileExtension } from '../names.ts';
import { pgDumpArgs } from '../pg/args.ts';
import { firstError } from '../pg/psql-session.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import { VERSION } from '../version.ts';
import { checkDump } from './check-dump.ts';
import { connectionEnv } from './connection-env.ts';
import { MANIFEST_VERSION, writeManifest, type Manifest } from './manifest.ts';
import { trackProgress } from './progress.ts';
import { openSnapshot } from './snapshot.ts';
import { dumpAppName, stopDump } from './stop-dump.ts';

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

export const extensionFor = (p: ProjectConfig): FileExtension => (p.format === 'custom' ? '.dump' : '.sql.gz');

export async function dumpDatabase(t: DumpTarget, ctx: DumpContext): Promise<BackupFile> {
  const { project, database } = t;
  const startedAt = new Date();
  await warnIfOthersCanWrite(project.backupDir, ctx.log);
  const info = await ctx.runtime.requireRunning(project.container);
  const env = await connectionEnv(project);
  const pgDumpVersion = await clientVersion(ctx.runtime, project.container);
  const snapshot = await openSnapshot(ctx.runtime, project, database, env, ctx.signal, ctx.log);

  const fileName = backupFileName(database, t.timestamp, extensionFor(project));
  const finalPath = path.join(t.dir, fileName);
  const partial = path.join(t.dir, partialName(fileName));
  let committed = false;
  const appName = dumpAppName();
  // Cut the dump when anything beside it fails (the counts, say): no orphan pg_dump runs on.
  const local = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, local.signal]) : local.signal;
  try {
    const handle = await createPartial(partial);
    const hasher = new HashingFileSink(handle, partial);
    const chain = [...(project.format === 'plain' ? [createGzip({ level: project.compression })] : []), hasher];
    const argv = pgDumpArgs({ user: project.user, database, format: project.format, compression: project.compression, snapshot: snapshot.id });
    const progress = trackProgress(ctx.log, database, () => hasher.bytes);
    const dumping = ctx.runtime.exec(project.container, argv, { stdout: chain, env: { ...env, PGAPPNAME: appName }, signal }).finally(progress.stop);
    const [dump, tables] = await Promise.all([dumping, snapshot.countTables(project.rowCounts)]);
    if (dump.exitCode !== 0) {
      throw new ExecError(
        `pg_dump of "${database}" in container "${project.container}" failed (exit ${dump.exitCode}): ${firstError(dump.stderr) ?? 'no message'}`,
        project.container, argv, dump.exitCode, dump.stderr,
      );
    }
    await snapshot.close();
    await checkDump(partial, project.format, hasher.bytes, { runtime: ctx.runtime, container: project.container, env });
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
      started_at: startedAt.toISOString(), finished_at: finishedAt.toISOString(),
      duration_ms: finishedAt.getTime() - startedAt.getTime(),
      server: snapshot.facts, pg_dump_version: pgDumpVersion,
      row_counts: project.rowCounts, tables,
    };
    const manifestPath = await writeManifest(t.dir, manifest);
    return { project: project.name, env: t.env, database, timestamp: t.timestamp, path: finalPath, manifestPath, manifest };
  } catch (err) {
    local.abort(err);
    await stopDump(ctx.runtime, project.container, project.user, env, appName);
    // Nothing half-made survives: the temporary file, and a committed file whose manifest failed.
    await fs.rm(partial, { force: true });
    if (committed) await fs.rm(finalPath, { force: true });
    throw err;
  } finally {
    await snapshot.close().catch(() => {});
  }
}

async function clientVersion(runtime: ContainerRuntime, container: string): Promise<string> {
  const r = await runtime.exec(container, ['pg_dump', '--version']);
  if (r.exitCode !== 0) {
    throw new ExecError(
      `pg_dump is not available in container "${container}" (exit ${r.exitCode}): is it a PostgreSQL container?`,
      container, ['pg_dump', '--version'], r.exitCode, r.stderr,
    );
  }
  return r.stdout.trim().replace(/^pg_dump \(PostgreSQL\) /, '');
}
