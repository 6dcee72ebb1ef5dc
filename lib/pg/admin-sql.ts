// SQL for the databases pgkeep creates, renames and drops. Names are validated upstream and are
// always quoted here all the same.
import { quoteIdent, quoteLiteral } from '../names.ts';
import type { ServerFacts } from './queries.ts';

/**
 * A database pgkeep creates gets the source's encoding and locale from template0: this test bed's
 * server default is SQL_ASCII, and a UTF8 database must never come back as SQL_ASCII.
 */
export function createDatabaseSql(name: string, facts: Partial<ServerFacts>, owner: string | undefined, targetVersionNum: number): string {
  const parts = [`CREATE DATABASE ${quoteIdent(name)}`, 'TEMPLATE template0'];
  if (owner) parts.push(`OWNER ${quoteIdent(owner)}`);
  if (facts.encoding) parts.push(`ENCODING ${quoteLiteral(facts.encoding)}`);
  if (facts.collate) parts.push(`LC_COLLATE ${quoteLiteral(facts.collate)}`);
  if (facts.ctype) parts.push(`LC_CTYPE ${quoteLiteral(facts.ctype)}`);
  if (targetVersionNum >= 150000 && facts.locale_provider === 'i' && facts.icu_locale) {
    parts.push(`LOCALE_PROVIDER icu`, `ICU_LOCALE ${quoteLiteral(facts.icu_locale)}`);
  }
  return parts.join(' ') + ';';
}

export const dropDatabaseSql = (name: string): string => `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE);`;

export const renameDatabaseSql = (from: string, to: string): string => `ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)};`;

export const allowConnectionsSql = (name: string, allow: boolean): string =>
  `ALTER DATABASE ${quoteIdent(name)} WITH ALLOW_CONNECTIONS ${allow};`;

export const terminateSql = (name: string): string =>
  `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ${quoteLiteral(name)} AND pid <> pg_backend_pid();`;

export const databaseInfoSql = (name: string): string =>
  `SELECT d.datname, pg_get_userbyid(d.datdba), d.datallowconn FROM pg_database d WHERE d.datname = ${quoteLiteral(name)};`;
