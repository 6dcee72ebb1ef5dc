// What a describe about one small database needs: a PostgreSQL 15 server holding database `db`
// (UTF8, C collation) built by `tableSql`, and a temporary directory, for the whole describe.
import { after, before } from 'node:test';
import { startPostgres, type PgContainer } from './pg-container.ts';
import type { TestEngine } from './engines.ts';
import { standIn } from './stand-in.ts';
import { tempDir } from './tempdir.ts';

export interface ServerWithDatabase {
  pg: PgContainer;
  tmp: { dir: string; cleanup: () => Promise<void> };
}

/** Call in a describe body: registers the before() that makes both and the after() that removes both. */
export function useServerWithDatabase(engine: TestEngine, db: string, tableSql: string): ServerWithDatabase {
  let made: Partial<ServerWithDatabase> = {};
  before(async () => {
    made.tmp = await tempDir();
    made.pg = await startPostgres(engine, 15);
    await made.pg.sql('postgres', `CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
    await made.pg.sql(db, tableSql);
  });
  after(async () => {
    await made.pg?.remove();
    await made.tmp?.cleanup();
    made = {};
  });
  return { pg: standIn('the server', () => made.pg), tmp: standIn('the temporary directory', () => made.tmp) };
}
