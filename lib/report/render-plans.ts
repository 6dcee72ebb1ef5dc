// Retention plans as a table: every backup, kept or removed, and why.
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import path from 'node:path';
import type { RetentionPlan, RetentionItem } from '../backup/retention.ts';

export interface PlanRow {
  project: string;
  env: string;
  database: string;
  plan: RetentionPlan<RetentionItem>;
  /** Offsite copies: shown as such. */
  offsite?: boolean;
}

export function renderPlans(rows: PlanRow[], c: ChalkInstance, removeWord = 'remove'): string {
  const table = new Table({ head: ['project/env', 'backup', 'action', 'why'], style: { head: [], border: [] } });
  for (const r of rows) {
    const where = `${r.project}/${r.env}${r.offsite ? ' (offsite)' : ''}`;
    for (const d of r.plan.keep) table.push([where, path.basename(d.item.id), c.green('keep'), d.reasons.join('; ')]);
    for (const d of r.plan.remove) table.push([where, path.basename(d.item.id), c.red(removeWord), d.reasons.join('; ')]);
    for (const n of r.plan.notes) table.push([where, `(${r.database})`, '-', n]);
  }
  return table.toString();
}
