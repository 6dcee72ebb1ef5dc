// Proves one backup restores: checksum, table of contents, a restore into a temporary database,
// and every table's rows compared with what the manifest recorded in the dump's own snapshot.
// The temporary database is dropped on every path, signals included.
import type { StoredBackup, Verification } from '../backup/manifest.ts';
import { PgkeepError } from '../errors.ts';
import { readTableEntries } from '../pg/toc.ts';
import type { Logger } from '../log.ts';
import { derivedDatabaseName } from '../names.ts';
import { createDatabaseSql, dropDatabaseSql } from '../pg/admin-sql.ts';
import type { PgAdmin } from '../pg/admin.ts';
import { detectArchive, isCustom } from '../pg/archive.ts';
import { integrityProblem } from '../archive/integrity.ts';
import { loadArchive } from '../archive/load-archive.ts';
import { verifyRestored, type RestoredCheck } from '../archive/verify-restored.ts';

export interface VerifyTarget {
  admin: PgAdmin;
  env: Record<string, string>;
  /** e.g. "same-container:shop-db" or "scratch:postgres:15" */
  label: string;
  versionNum: number;
  /** The project's encryption.identity_file, for encrypted backups. */
  identityFile?: string;
}

export interface VerifyOutcome {
  backup: StoredBackup;
  ok: boolean;
  check?: RestoredCheck;
  durationMs: number;
  error?: string;
  verification: Verification;
}

export async function verifyOne(b: StoredBackup, t: VerifyTarget, runStamp: string, log: Logger, signal?: AbortSignal): Promise<VerifyOutcome> {
  const started = Date.now();
  const temp = derivedDatabaseName(b.manifest.database, `__verify_${runStamp}`);
  let created = false;
  try {
    const problem = await integrityProblem(b);
    if (problem) throw new PgkeepError(problem);
    // Before the temporary database: a wrong or missing identity fails here, touching nothing.
    const kind = await detectArchive(b.path, { identityFile: t.identityFile, plaintext: b.manifest.plaintext });
    const toc = isCustom(kind) ? await readTableEntries(t.admin.runtime, t.admin.container, b.path, kind) : undefined;
    await t.admin.query(createDatabaseSql(temp, b.manifest.server, undefined, t.versionNum));
    created = true;
    log.info(`  Restoring into ${temp}`);
    await loadArchive({ admin: t.admin, database: temp, file: b.path, kind, noOwner: true, env: t.env, log, signal });
    const check = await verifyRestored(t.admin, temp, b.manifest, signal, toc);
    return outcome(b, t, started, check);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    return outcome(b, t, started, undefined, (err as Error).message);
  } finally {
    if (created) {
      await t.admin.query(dropDatabaseSql(temp)).catch((err: Error) => log.error(`could not drop temporary database ${temp}: ${err.message}`));
    }
  }
}


function outcome(b: StoredBackup, t: VerifyTarget, started: number, check?: RestoredCheck, error?: string): VerifyOutcome {
  const durationMs = Date.now() - started;
  const ok = error === undefined;
  const verification: Verification = {
    at: new Date().toISOString(),
    ok,
    ...(check ? { tables: check.tables, rows: check.rows } : {}),
    duration_ms: durationMs,
    target: t.label,
    ...(error ? { error } : {}),
  };
  return { backup: b, ok, check, durationMs, error, verification };
}
