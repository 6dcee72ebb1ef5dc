// Holds a REPEATABLE READ transaction open in a psql session and exports its snapshot, so that
// pg_dump (--snapshot) and the row counts see exactly the same data.
import type { ProjectConfig, RowCountMode } from '../config/types.ts';
import { PgkeepError } from '../errors.ts';
import { PsqlError, PsqlSession } from '../pg/psql-session.ts';
import { parseServerFacts, parseTableCounts, SERVER_FACTS_SQL, tableCountsSql, type ServerFacts, type TableCount } from '../pg/queries.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import type { Logger } from '../log.ts';

export interface Snapshot {
  id: string;
  facts: ServerFacts;
  countTables(mode: RowCountMode): Promise<TableCount[]>;
  /** Ends the session; idempotent. */
  close(): Promise<void>;
}

/** How long a server that is still starting (or restarting) gets before the backup fails. */
export const SERVER_START_WAIT_MS = 30_000;

/**
 * What libpq says while the server cannot take connections yet: worth waiting for, briefly. Podman
 * under load also drops an exec's attach now and then ("attach: read: connection reset by peer").
 */
const STARTING = /the database system is (starting up|not yet accepting connections|in recovery mode|shutting down)|connection to server on socket .* failed: (No such file or directory|Connection refused)|\/attach: read: connection reset by peer/;

export async function openSnapshot(
  runtime: ContainerRuntime,
  project: ProjectConfig,
  database: string,
  env: Record<string, string>,
  signal?: AbortSignal,
  log?: Logger,
  waitMs = SERVER_START_WAIT_MS,
): Promise<Snapshot> {
  const deadline = Date.now() + waitMs;
  for (let announced = false; ; announced = true) {
    try {
      return await tryOpenSnapshot(runtime, project, database, env, signal);
    } catch (err) {
      const starting = err instanceof PsqlError && STARTING.test(err.message);
      if (!starting || signal?.aborted) throw connectionError(err, project, database);
      if (Date.now() >= deadline) {
        throw new PgkeepError(
          `PostgreSQL in container "${project.container}" did not accept connections within ${waitMs / 1000} s: ${err.message}`,
          `check the server's log (${runtime.kind} logs ${project.container}); if it is recovering or starting slowly, run the backup again when it is up`,
        );
      }
      if (!announced) log?.info(`  PostgreSQL in container ${project.container} is not accepting connections yet (${err.message}); waiting up to ${waitMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function tryOpenSnapshot(
  runtime: ContainerRuntime,
  project: ProjectConfig,
  database: string,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<Snapshot> {
  const session = new PsqlSession(runtime, project.container, { user: project.user, database }, env, signal);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= session.close().then(() => undefined, () => undefined));
  try {
    const facts = parseServerFacts(await session.query(SERVER_FACTS_SQL));
    await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;');
    const id = (await session.query('SELECT pg_export_snapshot();'))[0]?.[0];
    if (!id) throw new PgkeepError('the server returned no snapshot id');
    return {
      id,
      facts,
      countTables: async (mode) => parseTableCounts(await session.query(tableCountsSql(mode))),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function connectionError(err: unknown, project: ProjectConfig, database: string): unknown {
  if (!(err instanceof PsqlError)) return err;
  const where = `database "${database}" as user "${project.user}" in container "${project.container}"`;
  const msg = err.message;
  let hint = 'check the container, user and databases of this project in projects.yml';
  if (/database .* does not exist/.test(msg)) hint = `check ${project.name}.database.databases in projects.yml`;
  else if (/role .* does not exist/.test(msg)) hint = `check ${project.name}.database.user in projects.yml`;
  else if (/password/.test(msg)) hint = 'set password_env or password_file for this project (the password is passed in the environment, never in argv)';
  return new PgkeepError(`cannot back up ${where}: ${msg}`, hint);
}
