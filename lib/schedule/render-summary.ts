// The summary table at the end of a scheduled run.
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { formatBytes, formatDuration } from '../log.ts';
import type { RunReport } from '../report/run-report.ts';

export function renderSummary(r: RunReport, c: ChalkInstance): string {
  const table = new Table({ head: ['database', 'result', 'size', 'duration', 'file or error'], style: { head: [], border: [] } });
  for (const d of r.databases) {
    table.push([
      `${d.project}/${d.env}/${d.database}`,
      d.ok ? c.green('ok') : c.red('FAILED'),
      d.size !== undefined ? formatBytes(d.size) : '-',
      d.duration_ms !== undefined ? formatDuration(d.duration_ms) : '-',
      d.ok ? (d.path ?? '') : (d.error ?? ''),
    ]);
  }
  const failed = r.databases.filter((d) => !d.ok).length;
  return `${table.toString()}\n${r.status}: ${r.databases.length - failed} ok, ${failed} failed (set ${r.timestamp})`;
}
