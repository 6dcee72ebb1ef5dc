// The roles of a set: pg_dumpall --globals-only from the set's container, once per project/env
// and timestamp, stored beside the set as globals_<ts>.sql with its manifest written after it.
import fs from 'node:fs/promises';
import type { ProjectConfig } from '../config/types.ts';
import { ExecError, PgkeepError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { PgAdmin } from '../pg/admin.ts';
import { firstError } from '../pg/psql-session.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import { VERSION } from '../version.ts';
import { connectionEnv } from '../backup/connection-env.ts';
import { manifestName } from '../names.ts';
import { globalsFileName } from './globals-name.ts';
import { MANIFEST_VERSION, writeGlobalsManifest, type GlobalsManifest } from './globals-manifest.ts';
import { storedExtension, writeStoredFile } from './stored-file.ts';

export interface GlobalsTarget {
  project: ProjectConfig;
  env: string;
  /** Absolute directory of this project/env, locked by the run. */
  dir: string;
  timestamp: string;
}

export interface GlobalsFile {
  project: string;
  env: string;
  path: string;
  manifestPath: string;
  manifest: GlobalsManifest;
}

/** pg_dumpall's argv: without --no-role-passwords only when the config asks to keep the hashes. */
export function pgDumpallArgs(user: string, withPasswords: boolean): string[] {
  return ['pg_dumpall', '-w', '-U', user, '-l', 'postgres', '--globals-only', ...(withPasswords ? [] : ['--no-role-passwords'])];
}

export async function dumpGlobals(t: GlobalsTarget, runtime: ContainerRuntime, log: Logger, signal?: AbortSignal): Promise<GlobalsFile> {
  const { project } = t;
  const withPasswords = project.globals.withPasswords;
  const env = await connectionEnv(project);
  const admin = new PgAdmin(runtime, project.container, project.user, env);
  const serverVersion = (await admin.query("SELECT current_setting('server_version');", 'postgres', signal))[0]?.[0] ?? 'unknown';
  const clientVersion = await runtime.exec(project.container, ['pg_dumpall', '--version'], { signal });
  const name = globalsFileName(t.timestamp, storedExtension(project));
  const argv = pgDumpallArgs(project.user, withPasswords);
  const stored = await writeStoredFile(t.dir, name, project, async (chain) => {
    const r = await runtime.exec(project.container, argv, { stdout: chain, env, signal });
    if (r.exitCode !== 0) throw dumpallError(project, r.exitCode, r.stderr, argv, withPasswords);
  });
  const manifest: GlobalsManifest = {
    manifest_version: MANIFEST_VERSION, kind: 'globals', tool: { name: 'pgkeep', version: VERSION },
    project: project.name, env: t.env, container: project.container, timestamp: t.timestamp, file: name,
    size: stored.size, sha256: stored.sha256, with_passwords: withPasswords,
    server_version: serverVersion, pg_dumpall_version: clientVersion.stdout.trim().replace(/^pg_dumpall \(PostgreSQL\) /, ''),
    created: new Date().toISOString(),
    ...(project.encryption && stored.plaintext
      ? { encryption: { method: 'age' as const, recipients: project.encryption.recipients }, plaintext: stored.plaintext }
      : {}),
  };
  try {
    const manifestPath = await writeGlobalsManifest(t.dir, manifest);
    log.ok(`  roles: ${stored.size} bytes, sha256 ${stored.sha256.slice(0, 12)}…${withPasswords ? ' (with password hashes)' : ''}`);
    return { project: project.name, env: t.env, path: stored.path, manifestPath, manifest };
  } catch (err) {
    // A roles file without its manifest would be an unfinished one: take it back.
    await fs.rm(stored.path, { force: true });
    await fs.rm(manifestName(stored.path), { force: true });
    throw err;
  }
}

function dumpallError(project: ProjectConfig, exitCode: number, stderr: string, argv: string[], withPasswords: boolean): Error {
  const why = firstError(stderr) ?? `exit ${exitCode}`;
  if (withPasswords && /pg_authid/.test(stderr)) {
    return new PgkeepError(
      `pg_dumpall in container "${project.container}" cannot read the roles' password hashes as user "${project.user}" (${why})`,
      'only a superuser may read pg_authid: connect as one, or set globals_with_passwords: false (roles are then saved without passwords)',
    );
  }
  return new ExecError(`pg_dumpall --globals-only in container "${project.container}" failed (exit ${exitCode}): ${why}`, project.container, argv, exitCode, stderr);
}
