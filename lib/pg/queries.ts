// SQL that pgkeep runs through a PsqlSession, and the parsing of its rows. The table list is the
// set pg_dump would dump data for: ordinary and partitioned tables outside the system schemas,
// excluding tables that belong to an extension (CREATE EXTENSION recreates those).
import type { RowCountMode } from '../config/types.ts';

export interface ServerFacts {
  version: string;
  version_num: number;
  encoding: string;
  collate: string;
  ctype: string;
  /** c (libc), i (ICU) or b (builtin); libc before PostgreSQL 15. */
  locale_provider: string;
  icu_locale?: string;
  /** The database's owner (by name): a restore onto a bare server creates it with this owner. */
  owner?: string;
  /**
   * The database's own privileges (GRANT … ON DATABASE), which pg_dump keeps only with --create;
   * null for the default ones. Absent in manifests written before this field.
   */
  acl?: DatabaseGrant[] | null;
}

export interface DatabaseGrant {
  /** A role name, or PUBLIC. */
  grantee: string;
  grantor: string;
  privilege: string;
  grantable: boolean;
}

export interface TableCount {
  schema: string;
  name: string;
  /** Exact count or estimate, per the manifest's row_counts; null when off or never analysed. */
  rows: number | null;
}

// to_jsonb over the catalog row keeps this one query valid from PostgreSQL 12 to 17, whose
// pg_database columns differ (datlocprovider, daticulocale, datlocale).
export const SERVER_FACTS_SQL = `SELECT current_setting('server_version'), current_setting('server_version_num'),
  pg_encoding_to_char(d.encoding), to_jsonb(d)::text, pg_get_userbyid(d.datdba),
  CASE WHEN d.datacl IS NULL THEN 'null' ELSE coalesce((SELECT jsonb_agg(jsonb_build_object(
    'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, 'grantor', pg_get_userbyid(a.grantor),
    'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY a.n)
    FROM aclexplode(d.datacl) WITH ORDINALITY a(grantor, grantee, privilege_type, is_grantable, n)), '[]')::text END
  FROM pg_database d WHERE d.datname = current_database();`;

export function parseServerFacts(rows: string[][]): ServerFacts {
  const [version, num, encoding, json, owner, acl] = rows[0] ?? [];
  const d = JSON.parse(json ?? '{}') as Record<string, string | null>;
  const icu = d.daticulocale ?? d.datlocale ?? undefined;
  return {
    version: version ?? 'unknown',
    version_num: Number(num),
    encoding: encoding ?? 'unknown',
    collate: d.datcollate ?? '',
    ctype: d.datctype ?? '',
    locale_provider: d.datlocprovider ?? 'c',
    ...(icu ? { icu_locale: icu } : {}),
    ...(owner ? { owner } : {}),
    ...(acl !== undefined ? { acl: JSON.parse(acl) as DatabaseGrant[] | null } : {}),
  };
}

const USER_TABLES = `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY n.nspname, c.relname`;

/**
 * Row counts in the session's current snapshot. Exact counts use FROM ONLY, so inherited and
 * partitioned rows are counted once, with row_security off so a policy can never hide rows
 * (it raises an error instead). \gexec runs one generated count per table.
 */
export function tableCountsSql(mode: RowCountMode): string {
  if (mode === 'exact') {
    return `SET row_security = off;
SELECT format('SELECT %L, %L, count(*) FROM ONLY %I.%I', n.nspname, c.relname, n.nspname, c.relname) ${USER_TABLES} \\gexec`;
  }
  if (mode === 'estimate') {
    return `SELECT n.nspname, c.relname, CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END ${USER_TABLES};`;
  }
  return `SELECT n.nspname, c.relname, NULL ${USER_TABLES};`;
}

export function parseTableCounts(rows: string[][]): TableCount[] {
  return rows
    .filter((r) => r.length >= 3)
    .map(([schema, name, rows]) => ({ schema: schema!, name: name!, rows: rows === '' || rows === undefined ? null : Number(rows) }));
}
