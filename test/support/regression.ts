// PostgreSQL's own regression database as a fixture (built once by test/bed/regression.sh), and a
// comparison of two databases that looks at the schema and every table's content, not counts.
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { PgContainer } from './pg-container.ts';

export interface RegressionFixture {
  dump: string;
  globals: string;
  lib: string;
}

/** The same cache directory test/bed/setup.sh picks. */
export function bedCache(): string {
  if (process.env.PGKEEP_BED_CACHE) return process.env.PGKEEP_BED_CACHE;
  if (process.getuid?.() === 0) return '/var/cache/pgkeep-bed';
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'pgkeep-bed');
}

export async function regressionFixture(): Promise<RegressionFixture> {
  const cache = bedCache();
  const f = {
    dump: path.join(cache, 'regression-15.dump'),
    globals: path.join(cache, 'regression-15-globals.sql'),
    lib: path.join(cache, 'regression-15-lib.tar'),
  };
  for (const file of Object.values(f)) {
    const size = await fs.stat(file).then((s) => s.size, () => 0);
    if (size === 0) {
      throw new Error(`the regression database fixture ${file} is missing: run make bed (test/bed/regression.sh builds it once, in several minutes)`);
    }
  }
  return f;
}

/**
 * Loads the fixture into database `db` of a fresh container: the C modules its functions and types
 * name by absolute path, the roles that own its objects, then the dump itself. Any error fails.
 */
export async function loadRegression(pg: PgContainer, f: RegressionFixture, db = 'regression'): Promise<void> {
  const run = async (what: string, argv: string[], stdinFile?: string) => {
    const r = await pg.runtime.exec(pg.name, argv, stdinFile ? { stdin: createReadStream(stdinFile) } : {});
    if (r.exitCode !== 0) throw new Error(`loading the regression fixture into ${pg.name}: ${what} exited ${r.exitCode}: ${r.stderr}`);
  };
  await run('tar of the C modules', ['tar', '-C', '/', '-xf', '-'], f.lib);
  await run('psql of the globals', ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', 'postgres', '-f', '-'], f.globals);
  await pg.sql('postgres', `CREATE DATABASE "${db}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  await run('pg_restore of the dump', ['pg_restore', '-U', 'postgres', '-d', db, '--exit-on-error'], f.dump);
}

/** `pg_dump --schema-only` as text (through a file: it is larger than exec's collected stdout). */
export async function schemaDump(pg: PgContainer, db: string, dir: string): Promise<string> {
  const file = path.join(dir, `${db}.schema.sql`);
  const r = await pg.runtime.exec(pg.name, ['pg_dump', '-U', 'postgres', '--schema-only', db], { stdout: createWriteStream(file) });
  if (r.exitCode !== 0) throw new Error(`pg_dump --schema-only ${db} in ${pg.name} exited ${r.exitCode}: ${r.stderr}`);
  // The one line that legitimately differs between two dumps of the same schema: pg_dump 15.14+
  // brackets its output with \restrict/\unrestrict and a key it draws at random on every run
  // (CVE-2025-8714). Blanked rather than pinned with --restrict-key, which older 15.x lack.
  return (await fs.readFile(file, 'utf8')).replace(/^\\(un)?restrict \S+$/gm, '\\$1restrict <random key>');
}

// One psql session computes every digest (\gexec), instead of one exec per table. Rows are cast to
// text and sorted bytewise, so neither physical order nor collation can make equal data differ.
// FROM ONLY: a partition or inheritance child has its own entry, and no row is counted twice.
// Sequences: last_value and is_called (log_cnt is WAL bookkeeping that setval resets).
const DIGEST_SQL = String.raw`
SET row_security = off;
SELECT format(
  CASE c.relkind
    WHEN 'S' THEN 'SELECT %L, count(*), md5(string_agg(last_value::text || '' '' || is_called::text, '''')) FROM %s'
    ELSE 'SELECT %L, count(*), md5(coalesce(string_agg(x::text, E''\n'' ORDER BY x::text COLLATE "C"), '''')) FROM ONLY %s x'
  END,
  format('%s %I.%I', c.relkind, n.nspname, c.relname), c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'S', 'm') AND (c.relkind <> 'm' OR c.relispopulated)
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
ORDER BY 1
\gexec
SELECT 'large objects', count(*), md5(coalesce(string_agg(m.oid::text || ':' || md5(lo_get(m.oid)), ',' ORDER BY m.oid), ''))
FROM pg_largeobject_metadata m;
`;

// A field separator no identifier in the fixture contains (some contain '|' and spaces).
const SEP = '\u001f';

/** `<relkind> schema.name` → `<rows> <md5>`, for every table, partition, sequence and populated matview, plus large objects. */
export async function contentDigests(pg: PgContainer, db: string): Promise<Record<string, string>> {
  const argv = ['psql', '-X', '-q', '-A', '-t', '-F', SEP, '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', db, '-f', '-'];
  const r = await pg.runtime.exec(pg.name, argv, { stdin: Readable.from([DIGEST_SQL]) });
  if (r.exitCode !== 0) throw new Error(`content digests of ${db} in ${pg.name} failed: ${r.stderr}`);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [name, rows, md5] = line.split(SEP);
    out[name!] = `${rows} ${md5}`;
  }
  return out;
}

/** Empty when a and b are the same text; else the lines only in a (`-`) or only in b (`+`), at most `max`. */
export function lineDiff(a: string, b: string, max = 40): string[] {
  if (a === b) return [];
  const count = new Map<string, number>();
  for (const l of a.split('\n')) count.set(l, (count.get(l) ?? 0) + 1);
  for (const l of b.split('\n')) count.set(l, (count.get(l) ?? 0) - 1);
  const out: string[] = [];
  for (const [l, n] of count) if (n !== 0) out.push(`${n > 0 ? '-' : '+'}${Math.abs(n)}x ${l}`);
  return out.length ? out.slice(0, max) : ['the same lines in another order'];
}
