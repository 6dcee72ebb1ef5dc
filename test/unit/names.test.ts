import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupFileName, derivedDatabaseName, formatTimestamp, nameProblem, parseBackupFileName, parseTimestamp, quoteIdent } from '../../lib/names.ts';
import { parseBackupSpec } from '../../lib/restore/backup-spec.ts';

test('names: allowed and refused, one line per case', () => {
  const cases: Array<[string, string | undefined]> = [
    ['filter-ical', undefined], ['portfolio_db', undefined], ['v1.2', undefined], ['_x', undefined],
    ['', 'must not be empty'], ['..', 'must not contain ".."'], ['a/b', 'must not contain a path separator'],
    ['a\\b', 'must not contain a path separator'], ['-rf', 'must not start with a dash'], ['a\0b', 'must not contain a NUL byte'],
    ['a b', 'must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)'], ['x'.repeat(64), "must be at most 63 bytes, PostgreSQL's identifier limit"],
  ];
  for (const [name, problem] of cases) assert.equal(nameProblem(name), problem, JSON.stringify(name));
});

test('timestamps are UTC YYYYMMDD_HHMMSS and round-trip; impossible dates are refused', () => {
  assert.equal(formatTimestamp(new Date('2026-11-22T02:00:05Z')), '20261122_020005');
  assert.equal(parseTimestamp('20261122_020005')?.toISOString(), '2026-11-22T02:00:05.000Z');
  for (const bad of ['20261322_000000', '20260230_000000', '2026112_020005', 'latest']) assert.equal(parseTimestamp(bad), undefined, bad);
});

test('backup file names parse back, and foreign names do not', () => {
  assert.equal(backupFileName('shop', '20261122_020000', '.dump'), 'shop_20261122_020000.dump');
  assert.deepEqual(parseBackupFileName('my_db_20261122_020000.sql.gz'), { database: 'my_db', timestamp: '20261122_020000', ext: '.sql.gz' });
  for (const foreign of ['shop_latest.dump', 'shop_20261122_020000.dump.json', 'notes.txt', '.shop_20261122_020000.dump.partial', 'shop_20261122_020000.dump.gz']) {
    assert.equal(parseBackupFileName(foreign), undefined, foreign);
  }
});

test('derived database names fit 63 bytes and stay distinct', () => {
  assert.equal(derivedDatabaseName('shop', '__pre_restore_20261122_020000'), 'shop__pre_restore_20261122_020000');
  const a = derivedDatabaseName('a'.repeat(60), '__pre_restore_20261122_020000');
  const b = derivedDatabaseName(`${'a'.repeat(59)}b`, '__pre_restore_20261122_020000');
  assert.ok(Buffer.byteLength(a) <= 63 && Buffer.byteLength(b) <= 63);
  assert.notEqual(a, b);
  assert.ok(a.endsWith('__pre_restore_20261122_020000'));
  assert.equal(quoteIdent('we"ird'), '"we""ird"');
});

test('BACKUP= names a file only when absolute or ./; traversal is refused', () => {
  assert.deepEqual(parseBackupSpec('latest', '/w'), { kind: 'latest' });
  assert.deepEqual(parseBackupSpec('pre-deploy', '/w'), { kind: 'pre-deploy' });
  assert.deepEqual(parseBackupSpec('20261122_020000', '/w'), { kind: 'timestamp', timestamp: '20261122_020000' });
  assert.deepEqual(parseBackupSpec('./x/shop.dump.gz', '/w'), { kind: 'file', path: '/w/x/shop.dump.gz' });
  assert.deepEqual(parseBackupSpec('/srv/b/shop.dump', '/w'), { kind: 'file', path: '/srv/b/shop.dump' });
  for (const bad of ['../../etc/passwd', 'shop/../../x', 'shop_latest.dump', '20261122', '']) assert.throws(() => parseBackupSpec(bad, '/w'), /is refused/, bad);
});
