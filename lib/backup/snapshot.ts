// Holds a REPEATABLE READ transaction open in a psql session and exports its snapshot, so that
// pg_dump (--snapshot) and the row counts see exactly the same data.
import type { ProjectConfig, RowCountMode } from '../config/types.ts';
import { PgkeepError } from '../errors.ts';
import { PsqlError, PsqlSession } from '../pg/psql-session.ts';
import { parseServerFacts, parseTableCounts, SERVER_FACTS_SQL, tableCountsSql, type ServerFacts, type TableCount } from '../pg/queries.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';

export interface Snapshot {
  id: string;
  facts: ServerFacts;
  countTables(mode: RowCountMode): Promise<TableCount[]>;
  /** Ends the session; idempotent. */
  close(): Promise<void>;
}

export async function openSnapshot(
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
    throw connectionError(err, project, database);
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
