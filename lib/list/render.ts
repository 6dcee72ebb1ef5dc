// list-backups as an operator reads it: one table per project/env, a row per backup set, one size
// column per database, the latest set marked, problems and totals below, and what to type next.
import { format } from 'date-fns/format';
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import { boxTable } from './box-table.ts';
import type { ChalkInstance } from 'chalk';
import { formatBytes } from '../log.ts';
import type { BackupEntry, ListGroup } from './list-backups.ts';
import type { CommandHint } from '../cli/command-hint.ts';
import { plural } from '../plural.ts';

export function renderGroups(groups: ListGroup[], color: ChalkInstance, command: CommandHint, now = new Date()): string {
  return groups.map((g) => renderGroup(g, color, command, now)).join('\n\n');
}

function renderGroup(g: ListGroup, c: ChalkInstance, command: CommandHint, now: Date): string {
  const sel = { project: g.project, env: g.env };
  const lines = [c.bold(`${g.project} / ${g.env}`) + c.dim(`  (${g.dir})`)];
  if (g.entries.length === 0) {
    lines.push(`  no backups yet; make the first one with: ${command('db-backup', sel)}`);
  } else {
    lines.push(setsTable(g, c, now));
    const total = g.entries.reduce((n, e) => n + e.size, 0);
    const sets = new Set(g.entries.map((e) => e.timestamp)).size;
    lines.push(`  ${plural(g.entries.length, 'backup file')} in ${plural(sets, 'set')}, ${formatBytes(total)} on disk.  * = latest; BACKUP= takes any timestamp above`);
    lines.push(`  restore the latest: ${command('db-restore', { ...sel, backup: 'latest' })}`);
    if (g.globals.length > 0) lines.push(`  ${rolesLine(g)}`);
  }
  for (const p of g.problems) lines.push(c.yellow(`  ! ${p.kind}: ${p.path}: ${p.detail}`));
  return lines.join('\n');
}

function setsTable(g: ListGroup, c: ChalkInstance, now: Date): string {
  const dbs = g.databases.filter((db) => g.entries.some((e) => e.database === db));
  const head = ['', 'timestamp', 'created', ...dbs, 'reason', 'label', 'verified', ...(g.offsite ? ['offsite'] : [])];
  const rows: string[][] = [];
  const byTs = new Map<string, BackupEntry[]>();
  for (const e of g.entries) byTs.set(e.timestamp, [...(byTs.get(e.timestamp) ?? []), e]);
  for (const [ts, set] of [...byTs].sort((a, b) => (a[0] < b[0] ? 1 : -1))) {
    const created = new Date(set[0]!.created);
    rows.push([
      set.some((e) => e.latest) ? c.green('*') : '',
      ts,
      `${format(created, 'yyyy-MM-dd HH:mm')} (${formatDistanceStrict(created, now, { addSuffix: true })})`,
      ...dbs.map((db) => {
        const e = set.find((x) => x.database === db);
        return e ? formatBytes(e.size) + (e.latest ? '*' : '') : '-';
      }),
      set[0]!.reason,
      set[0]!.label ?? '',
      verification(set, c),
      ...(g.offsite ? [offsiteCell(set, c)] : []),
    ]);
  }
  return boxTable(head, rows);
}

function verification(set: BackupEntry[], c: ChalkInstance): string {
  const v = set.map((e) => e.verified);
  if (v.some((x) => x && !x.ok)) return c.red('FAILED');
  if (v.every((x) => x?.ok)) {
    const at = v.map((x) => x!.at).sort()[0]!;
    return c.green(`ok at ${format(new Date(at), 'yyyy-MM-dd HH:mm')}`);
  }
  return v.some((x) => x) ? 'partly' : 'never';
}

/** The roles files in one line: how many sets have them, and how a restore applies them. */
function rolesLine(g: ListGroup): string {
  const sets = new Set(g.entries.map((e) => e.timestamp));
  const withRoles = g.globals.filter((r) => sets.has(r.timestamp));
  const hashes = g.globals.some((r) => r.with_passwords) ? ' (some hold password hashes: keep them private)' : '';
  return `roles saved with ${withRoles.length} of ${plural(sets.size, 'set')} (globals_<timestamp>.sql${hashes}); a restore applies them with GLOBALS=1`;
}

/** The set's offsite state: failed wins over pending, pending over uploaded. */
function offsiteCell(set: BackupEntry[], c: ChalkInstance): string {
  const states = set.map((e) => e.offsite?.status);
  if (states.includes('failed')) return c.red('failed');
  if (states.includes('pending')) return c.yellow('pending');
  return c.green('uploaded');
}
