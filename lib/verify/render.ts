// The verify report: a row per backup with what was compared and the verdict. The project/env
// column tells production and staging apart: their file names are alike.
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import path from 'node:path';
import { formatDuration } from '../log.ts';
import type { StoredBackup } from '../backup/manifest.ts';
import type { VerifyOutcome } from './verify-one.ts';

export function renderOutcomes(outcomes: VerifyOutcome[], c: ChalkInstance): string {
  const table = new Table({ head: ['project/env', 'backup', 'tables', 'rows', 'duration', 'result'], style: { head: [], border: [] }, wordWrap: true, colWidths: [null, null, null, null, null, 60] as unknown as number[] });
  for (const o of outcomes) {
    const result = o.ok ? c.green(`ok (${o.check?.compared === 'exact' ? 'exact counts' : o.check?.compared === 'estimate' ? 'estimates: tables only' : 'tables only'})`) : c.red(`FAILED: ${o.error}`);
    table.push([`${o.backup.manifest.project}/${o.backup.manifest.env}`, path.basename(o.backup.path), o.check?.tables ?? '-', o.check ? o.check.rows.toLocaleString('en-US') : '-', formatDuration(o.durationMs), result]);
  }
  return table.toString();
}

export function renderPlan(planned: StoredBackup[]): string {
  if (planned.length === 0) return 'nothing would be verified: no backups found for the selection';
  return ['would verify:', ...planned.map((b) => `  ${b.manifest.project}/${b.manifest.env}: ${b.path}  (${b.manifest.reason}, ${b.manifest.timestamp})`)].join('\n');
}
