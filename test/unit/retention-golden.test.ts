// Golden-file tests for retention plans (restic's testdata style): each case in
// testdata/retention/<name>.json is planned and compared with <name>.golden.json, which records
// every kept and removed backup with its reasons. Golden files are reviewed inputs: the test only
// reads them. After a deliberate change, edit the .golden.json by hand and review the diff.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BackupReason, RetentionPolicy } from '../../lib/config/types.ts';
import { planRetention } from '../../lib/backup/retention.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'retention');
const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.golden.json'));

interface Case {
  now: string;
  policy: RetentionPolicy;
  items: Array<{ time: string; reason: BackupReason }>;
}

test('there are golden cases', () => assert.ok(cases.length >= 5));

for (const file of cases) {
  test(`retention golden: ${file.replace('.json', '')}`, () => {
    const c = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Case;
    const items = c.items.map((i) => ({ id: `${i.time} ${i.reason}`, time: new Date(i.time), reason: i.reason }));
    const plan = planRetention(items, c.policy, new Date(c.now));
    const actual = {
      keep: plan.keep.map((d) => [d.item.id, d.reasons.join('; ')]),
      remove: plan.remove.map((d) => [d.item.id, d.reasons.join('; ')]),
      notes: plan.notes,
    };
    assert.equal(plan.keep.length + plan.remove.length, items.length, 'every backup is decided exactly once');
    const golden = path.join(dir, file.replace('.json', '.golden.json'));
    assert.deepEqual(actual, JSON.parse(fs.readFileSync(golden, 'utf8')));
  });
}
