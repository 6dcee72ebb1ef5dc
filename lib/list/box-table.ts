// A plain box-drawing table in cli-table3's look, for list-backups only: cli-table3's layout is
// quadratic in rows (about 1.7 s for 10,000 rows even in chunks, measured), and a listing of
// 10,000 backups must answer in well under a second. Every other table uses cli-table3.

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const width = (s: string): number => s.replace(ANSI, '').length;

export function boxTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const rule = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const line = (cells: string[]) => '│' + widths.map((w, i) => ` ${cells[i] ?? ''}${' '.repeat(w - width(cells[i] ?? ''))} `).join('│') + '│';
  const out = [rule('┌', '┬', '┐'), line(head)];
  for (const r of rows) out.push(rule('├', '┼', '┤'), line(r));
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}
