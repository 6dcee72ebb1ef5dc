// Offsite retention plans over the manifests read from the bucket: per database, own policy,
// never the newest good copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import type { RetentionPolicy } from '../../lib/config/types.ts';
import { planRemote } from '../../lib/offsite/remote-prune.ts';
import type { RemoteBackup } from '../../lib/offsite/remote-list.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const remote = (database: string, timestamp: string, reason: Manifest['reason'] = 'scheduled'): RemoteBackup => {
  const file = `${database}_${timestamp}.dump`;
  return { key: `pg/p/prod/${file}`, url: `s3://b/pg/p/prod/${file}`, size: 1, manifest: { database, timestamp, reason, file, project: 'p', env: 'prod', started_at: '' } as Manifest };
};
const SET = [
  remote('shop', '20260101_020000'),
  remote('shop', '20260601_020000'),
  remote('shop', '20261115_020000'),
  remote('shop', '20261130_020000'),
  remote('shop', '20261201_010000', 'pre-restore'),
  remote('other', '20250101_020000'),
];
const names = (items: Array<{ item: { id: string } }>) => items.map((d) => d.item.id.split('/').at(-1)).sort();

const CASES: Array<[string, RetentionPolicy, string[]]> = [
  // policy, removed (shop only)
  ['30 days keeps the month', { days: 30 }, ['shop_20260101_020000.dump', 'shop_20260601_020000.dump']],
  ['keep_last 1 keeps the newest regular copy and what days keep', { last: 1 }, ['shop_20260101_020000.dump', 'shop_20260601_020000.dump', 'shop_20261115_020000.dump', 'shop_20261201_010000.dump']],
  ['keep_monthly 12 keeps the newest of each month', { monthly: 12 }, ['shop_20261115_020000.dump', 'shop_20261201_010000.dump']],
  ['an empty policy removes nothing', {}, []],
  ['1 day still keeps the newest good copy', { days: 1 }, ['shop_20260101_020000.dump', 'shop_20260601_020000.dump', 'shop_20261115_020000.dump']],
];
for (const [what, policy, removed] of CASES) {
  test(`offsite retention: ${what}`, () => {
    const plan = planRemote(SET, 'shop', policy, NOW);
    assert.deepEqual(names(plan.remove), removed);
    assert.ok(plan.keep.every((d) => d.item.id.includes('/shop_')) && plan.remove.every((d) => d.item.id.includes('/shop_')), 'never another database');
  });
}
