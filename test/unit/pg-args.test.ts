import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drainingStdin, pgDumpArgs, psqlArgs } from '../../lib/pg/args.ts';
import { parseServerFacts, parseTableCounts, tableCountsSql } from '../../lib/pg/queries.ts';

test('pg_dump argv: each value its own argument, format and snapshot as asked', () => {
  const cases: Array<[Parameters<typeof pgDumpArgs>[0], string[]]> = [
    [{ user: 'app', database: 'shop', format: 'custom', compression: 6 }, ['pg_dump', '-w', '-U', 'app', '-d', 'shop', '--format=custom', '--compress=6']],
    [{ user: 'app', database: 'shop', format: 'plain', compression: 9, snapshot: '00000003-1' }, ['pg_dump', '-w', '-U', 'app', '-d', 'shop', '--format=plain', '--snapshot=00000003-1']],
    [{ user: 'a b', database: "it's; rm -rf /", format: 'custom', compression: 0 }, ['pg_dump', '-w', '-U', 'a b', '-d', "it's; rm -rf /", '--format=custom', '--compress=0']],
  ];
  for (const [input, expected] of cases) assert.deepEqual(pgDumpArgs(input), expected);
});

test('psql argv never prompts and stops on the first error', () => {
  const argv = psqlArgs({ user: 'u', database: 'd' });
  for (const a of ['-X', '-w', 'ON_ERROR_STOP=1']) assert.ok(argv.includes(a), a);
  assert.deepEqual(argv.slice(-4), ['-U', 'u', '-d', 'd']);
});

test('server facts parse across versions', () => {
  const v15 = parseServerFacts([['15.18', '150018', 'UTF8', JSON.stringify({ datcollate: 'C', datctype: 'C', datlocprovider: 'c', daticulocale: null })]]);
  assert.deepEqual(v15, { version: '15.18', version_num: 150018, encoding: 'UTF8', collate: 'C', ctype: 'C', locale_provider: 'c' });
  const v17 = parseServerFacts([['17.1', '170001', 'UTF8', JSON.stringify({ datcollate: 'C', datctype: 'C', datlocprovider: 'i', datlocale: 'und' })]]);
  assert.equal(v17.icu_locale, 'und');
  const v14 = parseServerFacts([['14.9', '140009', 'LATIN1', JSON.stringify({ datcollate: 'de_DE', datctype: 'de_DE' })]]);
  assert.equal(v14.locale_provider, 'c');
});

test('table counts: exact uses FROM ONLY with row_security off; rows parse to numbers or null', () => {
  assert.match(tableCountsSql('exact'), /FROM ONLY %I\.%I/);
  assert.match(tableCountsSql('exact'), /SET row_security = off/);
  assert.match(tableCountsSql('estimate'), /reltuples/);
  assert.deepEqual(parseTableCounts([['s', 't', '42'], ['s', 'u', '']]), [
    { schema: 's', name: 't', rows: 42 },
    { schema: 's', name: 'u', rows: null },
  ]);
});

test('drainingStdin keeps argv out of the script text and keeps the exit code', () => {
  assert.deepEqual(drainingStdin(['pg_restore', '-d', "x'; rm -rf /"]), ['sh', '-c', '"$@"; rc=$?; cat >/dev/null; exit $rc', 'pgkeep', 'pg_restore', '-d', "x'; rm -rf /"]);
});

