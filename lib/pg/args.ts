// argv for the PostgreSQL client programs run inside the database container. Pure: tested with
// tables, never a shell string. Values reach the programs as separate argv entries.
import type { DumpFormat } from '../config/types.ts';

export interface ConnectTo {
  user: string;
  database: string;
}

/** psql tuned for machine reading: no psqlrc, unaligned, tuples only, \x1f between fields. */
export function psqlArgs(to: ConnectTo, extra: string[] = []): string[] {
  return [
    'psql', '-X', '-q', '-A', '-t', '-F', '\x1f', '-v', 'ON_ERROR_STOP=1', '-w',
    '-U', to.user, '-d', to.database, ...extra,
  ];
}

export interface DumpArgs extends ConnectTo {
  format: DumpFormat;
  /** gzip level for the custom format; the plain format is compressed on the host. */
  compression: number;
  snapshot?: string;
}

export function pgDumpArgs(o: DumpArgs): string[] {
  const args = ['pg_dump', '-w', '-U', o.user, '-d', o.database];
  if (o.format === 'custom') args.push('--format=custom', `--compress=${o.compression}`);
  else args.push('--format=plain');
  if (o.snapshot) args.push(`--snapshot=${o.snapshot}`);
  return args;
}

/** Reads an archive's table of contents from stdin (then drains the rest: see drainingStdin). */
export function pgRestoreListArgs(): string[] {
  return drainingStdin(['pg_restore', '--list']);
}

/**
 * Runs argv so that it reads its stdin to the end even when it stops early (pg_restore --list
 * after the table of contents, pg_restore/psql after an error). Podman's attach resets the
 * connection when we write after the process exited, and then drops its last output; draining
 * makes the exit come after our EOF on both engines. argv travels as "$@", never inside the
 * script text.
 */
export function drainingStdin(argv: string[]): string[] {
  return ['sh', '-c', '"$@"; rc=$?; cat >/dev/null; exit $rc', 'pgkeep', ...argv];
}
