import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backupFileName,
  derivedDatabaseName,
  formatTimestamp,
  latestLinkName,
  manifestName,
  nameProblem,
  parseBackupFileName,
  parseTimestamp,
  partialName,
  quoteIdent,
  quoteLiteral,
} from '../../lib/names.ts';
import { parseBackupSpec } from '../../lib/backup/backup-spec.ts';

test('names: allowed and refused, one line per case', () => {
  const cases: Array<[string, string | undefined]> = [
    ['filter-ical', undefined], ['portfolio_db', undefined], ['v1.2', undefined], ['_x', undefined],
    ['', 'must not be empty'], ['..', 'must not contain ".."'], ['a/b', 'must not contain a path separator'],
    ['a\\b', 'must not contain a path separator'], ['-rf', 'must not start with a dash'], ['a\0b', 'must not contain a NUL byte'],
    ['a b', 'must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)'], ['x'.repeat(64), "must be at most 63 bytes, PostgreSQL's identifier limit"],
    ['x'.repeat(63), undefined], ['a.b-c_d', undefined], ['9lives', undefined], ['.hidden', 'must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)'],
    ['.', 'must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)'], ['a..b', 'must not contain ".."'], ['/', 'must not contain a path separator'],
    ['-', 'must not start with a dash'], ['\0', 'must not contain a NUL byte'], ['café', 'must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)'],
    ['a\nb', 'must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)'], ['a;drop', 'must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)'],
  ];
  for (const [name, problem] of cases) assert.equal(nameProblem(name), problem, JSON.stringify(name));
});

test('timestamps are UTC YYYYMMDD_HHMMSS and round-trip; impossible dates are refused', () => {
  assert.equal(formatTimestamp(new Date('2026-11-22T02:00:05Z')), '20261122_020005');
  assert.equal(parseTimestamp('20261122_020005')?.toISOString(), '2026-11-22T02:00:05.000Z');
  for (const bad of ['20261322_000000', '20260230_000000', '2026112_020005', 'latest']) assert.equal(parseTimestamp(bad), undefined, bad);
  const cases: Array<[string, string | undefined]> = [
    ['2024-02-29T23:59:59Z', '20240229_235959'],
    ['1999-12-31T00:00:00Z', '19991231_000000'],
    ['2026-01-01T00:00:00.999Z', '20260101_000000'],
    ['2026-06-15T12:30:00+02:00', '20260615_103000'],
  ];
  for (const [iso, ts] of cases) {
    assert.equal(formatTimestamp(new Date(iso)), ts, iso);
    assert.equal(parseTimestamp(ts!)?.toISOString(), new Date(iso).toISOString().replace(/\.\d{3}Z$/, '.000Z'), ts);
  }
  for (const bad of ['20250229_000000', '20261122_240000', '20261122_236000', '20261122_020060', '20261122-020005', ' 20261122_020005', '20261122_020005\n']) {
    assert.equal(parseTimestamp(bad), undefined, JSON.stringify(bad));
  }
});

test('backup file names parse back, and foreign names do not', () => {
  assert.equal(backupFileName('shop', '20261122_020000', '.dump'), 'shop_20261122_020000.dump');
  assert.deepEqual(parseBackupFileName('my_db_20261122_020000.sql.gz'), { database: 'my_db', timestamp: '20261122_020000', ext: '.sql.gz' });
  const cases: Array<[string, ReturnType<typeof parseBackupFileName>]> = [
    ['shop_20261122_020000.dump', { database: 'shop', timestamp: '20261122_020000', ext: '.dump' }],
    ['a_20261122_020000_20261123_030000.dump', { database: 'a_20261122_020000', timestamp: '20261123_030000', ext: '.dump' }],
    ['filter-ical.v2_20260101_000000.sql.gz', { database: 'filter-ical.v2', timestamp: '20260101_000000', ext: '.sql.gz' }],
    ['_20261122_020000.dump', undefined],
    ['..x_20261122_020000.dump', undefined],
    ['-x_20261122_020000.dump', undefined],
    ['shop_20261399_020000.dump', undefined],
    ['shop_20261122_020000.sql', undefined],
  ];
  for (const [file, expected] of cases) assert.deepEqual(parseBackupFileName(file), expected, file);
  for (const [db, ts, ext] of [['shop', '20261122_020000', '.dump'], ['my.db-1', '20000101_000000', '.sql.gz']] as const) {
    assert.deepEqual(parseBackupFileName(backupFileName(db, ts, ext)), { database: db, timestamp: ts, ext }, 'round trip');
  }
  assert.deepEqual(
    [latestLinkName('shop', '.dump'), manifestName('shop_20261122_020000.dump'), partialName('shop_20261122_020000.dump')],
    ['shop_latest.dump', 'shop_20261122_020000.dump.json', '.shop_20261122_020000.dump.partial'],
  );
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
  const suffix = '__pre_restore_20261122_020000';
  const seen = new Set<string>();
  // Every length around the limit, and multi-byte names cut on a character boundary.
  for (let n = 1; n <= 63; n++) {
    for (const base of ['x'.repeat(n), `${'x'.repeat(n - 1)}y`, 'é'.repeat(Math.ceil(n / 2))]) {
      const derived = derivedDatabaseName(base, suffix);
      assert.ok(Buffer.byteLength(derived) <= 63, `${base}: ${Buffer.byteLength(derived)} bytes`);
      assert.ok(derived.endsWith(suffix), base);
      assert.ok(!derived.includes('\uFFFD'), `${base}: cut inside a character`);
      seen.add(derived);
    }
  }
  assert.equal(seen.size, new Set(Array.from({ length: 63 }, (_, i) => i + 1).flatMap((n) => ['x'.repeat(n), `${'x'.repeat(n - 1)}y`, 'é'.repeat(Math.ceil(n / 2))])).size, 'distinct bases give distinct names');
  assert.equal(derivedDatabaseName('x'.repeat(63), suffix), derivedDatabaseName('x'.repeat(63), suffix), 'deterministic');
  assert.equal(derivedDatabaseName('x'.repeat(34), suffix), `${'x'.repeat(34)}${suffix}`, 'exactly 63 bytes is kept whole');
});

test('SQL quoting: identifiers in double quotes, literals in single quotes, embedded quotes doubled', () => {
  const idents: Array<[string, string]> = [['shop', '"shop"'], ['filter-ical', '"filter-ical"'], ['we"ird', '"we""ird"'], ['""', '""""""'], ['Mixed.Case', '"Mixed.Case"']];
  for (const [name, quoted] of idents) assert.equal(quoteIdent(name), quoted, name);
  const literals: Array<[string, string]> = [['shop', "'shop'"], ["it's", "'it''s'"], ["'; drop database x; --", "'''; drop database x; --'"], ['', "''"]];
  for (const [value, quoted] of literals) assert.equal(quoteLiteral(value), quoted, value);
});

test('BACKUP= names a file only when absolute or ./; traversal is refused', () => {
  assert.deepEqual(parseBackupSpec('latest', '/w'), { kind: 'latest' });
  assert.deepEqual(parseBackupSpec('pre-deploy', '/w'), { kind: 'pre-deploy' });
  assert.deepEqual(parseBackupSpec('20261122_020000', '/w'), { kind: 'timestamp', timestamp: '20261122_020000' });
  assert.deepEqual(parseBackupSpec('./x/shop.dump.gz', '/w'), { kind: 'file', path: '/w/x/shop.dump.gz' });
  assert.deepEqual(parseBackupSpec('/srv/b/shop.dump', '/w'), { kind: 'file', path: '/srv/b/shop.dump' });
  for (const bad of ['../../etc/passwd', 'shop/../../x', 'shop_latest.dump', '20261122', '']) assert.throws(() => parseBackupSpec(bad, '/w'), /is refused/, bad);
});
