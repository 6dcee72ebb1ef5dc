// Administrative SQL run through psql inside the container, one short exec per call. Statements
// go in on stdin, so CREATE/ALTER DATABASE never land in an implicit transaction block.
import { Readable } from 'node:stream';
import { ExecError } from '../errors.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import { databaseInfoSql } from './admin-sql.ts';
import { psqlArgs } from './args.ts';
import { firstError, PsqlSession } from './psql-session.ts';

export interface DatabaseInfo {
  name: string;
  owner: string;
  allowConnections: boolean;
}

export class PgAdmin {
  constructor(
    readonly runtime: ContainerRuntime,
    readonly container: string,
    readonly user: string,
    private readonly env: Record<string, string>,
    /** The database to connect to for administration. */
    readonly maintenanceDb = 'postgres',
  ) {}

  async query(sql: string, database = this.maintenanceDb, signal?: AbortSignal): Promise<string[][]> {
    const argv = psqlArgs({ user: this.user, database });
    const r = await this.runtime.exec(this.container, argv, { stdin: Readable.from([sql + '\n']), env: this.env, signal });
    if (r.exitCode !== 0) {
      throw new ExecError(
        `psql in container "${this.container}" failed on database "${database}": ${firstError(r.stderr) ?? `exit ${r.exitCode}`}`,
        this.container, argv, r.exitCode, r.stderr,
      );
    }
    return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\x1f'));
  }

  /**
   * One psql process for a run of statements on the maintenance database: a statement costs a round
   * trip instead of an exec of its own (about 0.1 s each), which is what keeps the swap short. An
   * error ends the session (ON_ERROR_STOP), so the caller undoes its steps with query().
   */
  session(): PsqlSession {
    return new PsqlSession(this.runtime, this.container, { user: this.user, database: this.maintenanceDb }, this.env);
  }

  async databaseInfo(name: string): Promise<DatabaseInfo | undefined> {
    const row = (await this.query(databaseInfoSql(name)))[0];
    return row ? { name: row[0]!, owner: row[1]!, allowConnections: row[2] === 't' } : undefined;
  }

  async versionNum(): Promise<number> {
    return Number((await this.query("SELECT current_setting('server_version_num');"))[0]?.[0]);
  }
}
