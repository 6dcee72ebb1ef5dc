// A database's own owner and privileges (GRANT … ON DATABASE): pg_dump keeps them only with
// --create, which pgkeep does not use, so the manifest records them (server.owner, server.acl)
// and a restore puts them back. That matters most onto a bare server, where there is no live
// database to learn the owner from. With NO_OWNER=1 neither is applied, as for the objects inside.
import type { DatabaseGrant, ServerFacts } from '../pg/queries.ts';
import type { PgAdmin } from '../pg/admin.ts';
import type { Logger } from '../log.ts';
import { quoteIdent, quoteLiteral } from '../names.ts';
import { existingRoles } from '../globals/missing-roles.ts';

/** The owner to create the database with: the live one's, else the backup's when that role exists here. */
export async function ownerFor(admin: PgAdmin, liveOwner: string | undefined, facts: Partial<ServerFacts> | undefined, noOwner: boolean, log: Logger): Promise<string | undefined> {
  if (liveOwner || noOwner || !facts?.owner) return liveOwner;
  if ((await existingRoles(admin)).has(facts.owner)) return facts.owner;
  log.warn(`the backup's database owner "${facts.owner}" is not a role in container "${admin.container}": the database is owned by ${admin.user} (GLOBALS=1 brings the roles)`);
  return undefined;
}

/** The statements that make `database`'s privileges the recorded ones; pure. */
export function databaseAclSql(database: string, owner: string, acl: DatabaseGrant[], have: ReadonlySet<string>): { sql: string[]; skipped: string[] } {
  const db = quoteIdent(database);
  const who = (r: string) => (r === 'PUBLIC' ? 'PUBLIC' : quoteIdent(r));
  // From a clean slate: the implicit defaults (PUBLIC's CONNECT and TEMPORARY, the owner's all) go first.
  const sql = [`REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`, `REVOKE ALL ON DATABASE ${db} FROM ${quoteIdent(owner)};`];
  const skipped: string[] = [];
  for (const g of acl) {
    if (g.grantee !== 'PUBLIC' && !have.has(g.grantee)) {
      skipped.push(g.grantee);
      continue;
    }
    const by = g.grantor !== owner && have.has(g.grantor) ? ` GRANTED BY ${quoteIdent(g.grantor)}` : '';
    sql.push(`GRANT ${g.privilege} ON DATABASE ${db} TO ${who(g.grantee)}${g.grantable ? ' WITH GRANT OPTION' : ''}${by};`);
  }
  return { sql, skipped: [...new Set(skipped)] };
}

/** Applies the recorded privileges; nothing for a manifest without them or with the defaults. */
export async function applyDatabaseAcl(admin: PgAdmin, database: string, facts: Partial<ServerFacts> | undefined, log: Logger, signal?: AbortSignal): Promise<void> {
  if (!facts?.acl) return;
  const owner = (await admin.query(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${quoteLiteral(database)};`, undefined, signal))[0]?.[0];
  if (!owner) return;
  const { sql, skipped } = databaseAclSql(database, owner, facts.acl, await existingRoles(admin, signal));
  await admin.query(sql.join('\n'), undefined, signal);
  if (skipped.length > 0) log.warn(`database privileges for ${skipped.map((r) => JSON.stringify(r)).join(', ')} not granted: no such role in container "${admin.container}"`);
}
