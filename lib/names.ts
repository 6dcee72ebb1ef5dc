// Names that become file paths or SQL identifiers, and the names pgkeep derives from them.
import { createHash } from 'node:crypto';

/** Project, env and database names: no path separators, no leading dash, no "..". */
export const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Why `name` is unsafe, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.includes('\0')) return 'must not contain a NUL byte';
  if (name.includes('/') || name.includes('\\')) return 'must not contain a path separator';
  if (name.includes('..')) return 'must not contain ".."';
  if (name.startsWith('-')) return 'must not start with a dash';
  if (!NAME_PATTERN.test(name)) return `must match ${NAME_PATTERN.source} (letters, digits, _ . -)`;
  if (Buffer.byteLength(name) > 63) return 'must be at most 63 bytes, PostgreSQL\'s identifier limit';
  return undefined;
}

/** Docker's own rule for container names (an ID matches it too); it never holds a / or a ?. */
export const CONTAINER_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Why `name` cannot be a container name, or undefined when it is fine. */
export function containerNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (!CONTAINER_PATTERN.test(name)) return `must match ${CONTAINER_PATTERN.source} (letters, digits, _ . -, not first)`;
  return undefined;
}

/** YYYYMMDD_HHMMSS in UTC: one per backup set. */
export function formatTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`
  );
}

export const TIMESTAMP_PATTERN = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/;

export function parseTimestamp(ts: string): Date | undefined {
  const m = TIMESTAMP_PATTERN.exec(ts);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  return formatTimestamp(date) === ts ? date : undefined;
}

/** The dump's own extension, then `.age` when pgkeep encrypted it (extensions stack in the order applied). */
export type FileExtension = '.dump' | '.sql.gz' | '.dump.age' | '.sql.gz.age';

export const ENCRYPTED_SUFFIX = '.age';

export function fileExtension(format: 'custom' | 'plain', encrypted: boolean): FileExtension {
  return `${format === 'custom' ? '.dump' : '.sql.gz'}${encrypted ? ENCRYPTED_SUFFIX : ''}` as FileExtension;
}

export function backupFileName(database: string, timestamp: string, ext: FileExtension): string {
  return `${database}_${timestamp}${ext}`;
}

export function latestLinkName(database: string, ext: FileExtension): string {
  return `${database}_latest${ext}`;
}

export const manifestName = (file: string): string => `${file}.json`;
export const partialName = (file: string): string => `.${file}.partial`;

/** Splits "<db>_<ts><ext>" back into its parts; undefined for names pgkeep did not make. */
export function parseBackupFileName(
  file: string,
): { database: string; timestamp: string; ext: FileExtension } | undefined {
  const m = /^(.+)_(\d{8}_\d{6})((?:\.dump|\.sql\.gz)(?:\.age)?)$/.exec(file);
  if (!m || nameProblem(m[1]!) || !parseTimestamp(m[2]!)) return undefined;
  return { database: m[1]!, timestamp: m[2]!, ext: m[3] as FileExtension };
}

/**
 * A database name derived from `base` (e.g. `<db>__restore_<ts>`) that fits PostgreSQL's 63-byte
 * limit: when it would not, the base is cut and a short hash keeps derived names distinct.
 */
export function derivedDatabaseName(base: string, suffix: string): string {
  const full = `${base}${suffix}`;
  if (Buffer.byteLength(full) <= 63) return full;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  const room = 63 - Buffer.byteLength(suffix) - hash.length - 1;
  return `${Buffer.from(base).subarray(0, room).toString().replace(/\uFFFD+$/, '')}_${hash}${suffix}`;
}

/** Quotes an SQL identifier: names are validated, but SQL always gets them quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes an SQL string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
