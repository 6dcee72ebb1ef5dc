import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackupReason, RetentionPolicy } from '../../lib/config/types.ts';
import { planRetention, type RetentionItem } from '../../lib/backup/retention.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const item = (iso: string, reason: BackupReason = 'scheduled'): RetentionItem => ({ id: iso, time: new Date(iso), reason });
const ids = (xs: Array<{ item: RetentionItem }>) => xs.map((x) => x.item.id);

test('retention by days: one line per case', () => {
  const cases: Array<[string, RetentionItem[], RetentionPolicy, string[]]> = [
    ['keeps what is younger than N days', [item('2026-11-21T00:00:00Z'), item('2026-10-01T00:00:00Z')], { days: 30 }, ['2026-10-01T00:00:00Z']],
    ['never removes the newest good backup, however old', [item('2025-01-01T00:00:00Z'), item('2024-01-01T00:00:00Z')], { days: 7 }, ['2024-01-01T00:00:00Z']],
    ['a pre-restore backup is not the newest good one', [item('2026-01-02T00:00:00Z', 'pre-restore'), item('2026-01-01T00:00:00Z')], { days: 7 }, ['2026-01-02T00:00:00Z']],
    ['timestamps in the future are kept', [item('2027-01-01T00:00:00Z'), item('2026-01-01T00:00:00Z')], { days: 7 }, ['2026-01-01T00:00:00Z']],
    ['an empty policy removes nothing', [item('2020-01-01T00:00:00Z'), item('2019-01-01T00:00:00Z')], {}, []],
    ['exactly N days old is removed', [item('2026-11-22T11:00:00Z'), item('2026-11-15T12:00:00Z')], { days: 7 }, ['2026-11-15T12:00:00Z']],
    ['nothing to do on no backups', [], { days: 7 }, []],
  ];
  for (const [name, items, policy, removed] of cases) {
    assert.deepEqual(ids(planRetention(items, policy, NOW).remove), removed, name);
  }
});

test('every decision carries its reasons, and an empty policy says why it removed nothing', () => {
  const plan = planRetention([item('2026-11-20T00:00:00Z'), item('2026-11-01T00:00:00Z'), item('2026-01-01T00:00:00Z')], { days: 30 }, NOW);
  assert.deepEqual(plan.keep.map((d) => [d.item.id, d.reasons]), [
    ['2026-11-20T00:00:00Z', ['within 30 days', 'newest good backup']],
    ['2026-11-01T00:00:00Z', ['within 30 days']],
  ]);
  assert.deepEqual(plan.remove.map((d) => d.reasons), [['older than 30 days (325 days old)']]);
  const empty = planRetention([item('2020-01-01T00:00:00Z')], {}, NOW);
  assert.deepEqual(empty.notes, ['no retention rule is set: nothing is removed']);
});
