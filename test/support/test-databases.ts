// Databases of one test on a server that a whole describe shares: named with the test's own id,
// copied from a template the describe seeded once and never touches again, and dropped when the
// test ends, so no test sees another's databases or leftovers.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { PgContainer } from './pg-container.ts';

/** A short id for one test's names: lower-case, so it needs no quoting in SQL or YAML. */
export const testId = (): string => `t${randomBytes(3).toString('hex')}`;

/**
 * `CREATE DATABASE name TEMPLATE template`: a byte copy, encoding and collation included, in well
 * under the time seeding takes. The template must have no session open on it, so only the
 * describe's before() ever connects to it.
 */
export async function copyDatabase(pg: PgContainer, template: string, name: string): Promise<void> {
  await pg.sql('postgres', `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
}

/** Drops every database whose name contains `id` (pgkeep's temporary and pre-restore copies too) when test `t` ends. */
export function dropDatabasesAfter(t: Pick<TestContext, 'after'>, id: string, ...servers: PgContainer[]): void {
  t.after(async () => {
    for (const pg of servers) {
      const names = (await pg.sql('postgres', `SELECT datname FROM pg_database WHERE strpos(datname, '${id}') > 0`)).split('\n').filter(Boolean);
      for (const name of names) await pg.sql('postgres', `DROP DATABASE "${name}" WITH (FORCE)`);
    }
  });
}
