// Proves a restored database holds what the backup recorded: the same tables, and where the
// manifest has exact counts taken in the dump's own snapshot, the same rows in every table.
import type { Manifest } from '../backup/manifest.ts';
import { PgkeepError } from '../errors.ts';
import type { PgAdmin } from '../pg/admin.ts';
import { firstUnrestored, type TocEntry } from '../pg/toc-entries.ts';
import { parseTableCounts, tableCountsSql, type TableCount } from '../pg/queries.ts';

export interface RestoredCheck {
  tables: number;
  rows: number;
  /** exact: counts compared one by one; estimate: compared loosely; tables: only the list. */
  compared: 'exact' | 'estimate' | 'tables';
}

export async function verifyRestored(
  admin: PgAdmin,
  database: string,
  manifest: Manifest | undefined,
  signal?: AbortSignal,
  /** The archive's TABLE entries, for custom-format dumps. */
  toc?: TocEntry[],
): Promise<RestoredCheck> {
  const actual = parseTableCounts(await admin.query(tableCountsSql('exact'), database, signal));
  const rows = actual.reduce((n, t) => n + (t.rows ?? 0), 0);
  const lost = toc && firstUnrestored(toc, actual);
  if (lost) {
    throw new PgkeepError(`the restored copy does not match the backup: the archive's table of contents creates a table that was not restored (entry "${lost.line}")`);
  }
  if (!manifest) return { tables: actual.length, rows, compared: 'tables' };
  const problem = compareTables(manifest.tables, actual, manifest.row_counts);
  if (problem) throw new PgkeepError(`the restored copy does not match the backup: ${problem}`);
  const compared = manifest.row_counts === 'exact' ? 'exact' : manifest.row_counts === 'estimate' ? 'estimate' : 'tables';
  return { tables: actual.length, rows, compared };
}

/** The first difference, in words; undefined when they match. Pure. */
export function compareTables(expected: TableCount[], actual: TableCount[], mode: Manifest['row_counts']): string | undefined {
  const key = (t: TableCount) => `${t.schema}.${t.name}`;
  const have = new Map(actual.map((t) => [key(t), t]));
  const want = new Set(expected.map(key));
  for (const t of expected) {
    const got = have.get(key(t));
    if (!got) return `table ${key(t)} is missing`;
    if (mode === 'exact' && t.rows !== null && got.rows !== t.rows) {
      return `table ${key(t)} has ${got.rows} rows, the backup recorded ${t.rows}`;
    }
  }
  const extra = actual.find((t) => !want.has(key(t)));
  if (extra) return `table ${key(extra)} is not in the backup`;
  return undefined;
}
