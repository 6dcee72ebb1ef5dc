import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { rewriteLine, roleRewriter } from '../../lib/globals/role-rewrite.ts';
import { globalsFileName, isGlobalsEntry, parseGlobalsFileName } from '../../lib/globals/globals-name.ts';
import { pgDumpallArgs } from '../../lib/globals/dump-globals.ts';

const KEEP = new Set(['postgres', 'Admin User']);
const guarded = (role: string, create: string) =>
  `DO $pgkeep$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${role}') THEN ${create} END IF; END $pgkeep$;`;

// [line as pg_dumpall writes it, lines sent instead, role created, role left out]
const CASES: Array<[string, string[], string?, string?]> = [
  ['CREATE ROLE app_owner;', [guarded('app_owner', 'CREATE ROLE app_owner;')], 'app_owner'],
  ['CREATE ROLE "Ops Team";', [guarded('Ops Team', 'CREATE ROLE "Ops Team";')], 'Ops Team'],
  [`CREATE ROLE "o'brien";`, [guarded("o''brien", `CREATE ROLE "o'brien";`)], "o'brien"],
  ['CREATE ROLE "say ""hi""";', [guarded('say "hi"', 'CREATE ROLE "say ""hi""";')], 'say "hi"'],
  ['CREATE ROLE "$pgkeep$";', ['DO $pgkeep1$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = \'$pgkeep$\') THEN CREATE ROLE "$pgkeep$"; END IF; END $pgkeep1$;'], '$pgkeep$'],
  ['ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5;', ['ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5;']],
  ['CREATE ROLE postgres;', ['-- pgkeep: role "postgres" left as it is on this server'], undefined, 'postgres'],
  ["ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:x';", ['-- pgkeep: role "postgres" left as it is on this server'], undefined, 'postgres'],
  ['ALTER ROLE "Admin User" SET search_path TO app;', ['-- pgkeep: role "Admin User" left as it is on this server'], undefined, 'Admin User'],
  ['GRANT app_group TO app_owner WITH INHERIT TRUE GRANTED BY postgres;', ['GRANT app_group TO app_owner WITH INHERIT TRUE GRANTED BY postgres;']],
  ['GRANT app_group TO postgres GRANTED BY postgres;', ['GRANT app_group TO postgres GRANTED BY postgres;']],
  ["COMMENT ON ROLE app_owner IS 'CREATE ROLE x;';", ["COMMENT ON ROLE app_owner IS 'CREATE ROLE x;';"]],
  ['SET default_transaction_read_only = off;', ['SET default_transaction_read_only = off;']],
  ['-- CREATE ROLE in a comment;', ['-- CREATE ROLE in a comment;']],
  ['', ['']],
];

test('rewriteLine: CREATE ROLE becomes an existence-checked DO block; kept roles are left out; everything else passes', () => {
  for (const [line, lines, created, skipped] of CASES) {
    const r = rewriteLine(line, KEEP);
    assert.deepEqual(r.lines, lines, line);
    assert.equal(r.created, created, line);
    assert.equal(r.skipped, skipped, line);
  }
});

test('roleRewriter rewrites across chunk edges, multi-byte names included, and collects the roles it saw', async () => {
  const text = 'CREATE ROLE "Zoë";\nALTER ROLE "Zoë" WITH LOGIN;\nCREATE ROLE postgres;\nCREATE ROLE b;';
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)); // one byte at a time
  const seen = { roles: new Set<string>(), skipped: new Set<string>() };
  let out = '';
  for await (const c of Readable.from(chunks).pipe(roleRewriter(KEEP, seen))) out += c.toString();
  assert.equal(out, [guarded('Zoë', 'CREATE ROLE "Zoë";'), 'ALTER ROLE "Zoë" WITH LOGIN;', '-- pgkeep: role "postgres" left as it is on this server', guarded('b', 'CREATE ROLE b;'), ''].join('\n'));
  assert.deepEqual([...seen.roles], ['Zoë', 'b']);
  assert.deepEqual([...seen.skipped], ['postgres']);
});

test('roles file names', () => {
  const cases: Array<[string, ReturnType<typeof parseGlobalsFileName>, boolean]> = [
    ['globals_20261122_020000.sql', { timestamp: '20261122_020000', extraExt: '' }, true],
    ['globals_20261122_020000.sql.age', { timestamp: '20261122_020000', extraExt: '.age' }, true],
    ['globals_20261122_020000.sql.json', undefined, true],
    ['globals_20261122_020000.sql.age.json', undefined, true],
    ['globals_20261322_020000.sql', undefined, false],
    ['globals_20261122_020000.dump', undefined, false],
    ['.globals_20261122_020000.sql.partial', undefined, false],
    ['shop_20261122_020000.dump', undefined, false],
  ];
  for (const [name, parsed, entry] of cases) {
    assert.deepEqual(parseGlobalsFileName(name), parsed, name);
    assert.equal(isGlobalsEntry(name), entry, name);
  }
  assert.equal(globalsFileName('20261122_020000'), 'globals_20261122_020000.sql');
});

test('pg_dumpall argv: --no-role-passwords unless the hashes are wanted', () => {
  assert.deepEqual(pgDumpallArgs('postgres', false), ['pg_dumpall', '-w', '-U', 'postgres', '-l', 'postgres', '--globals-only', '--no-role-passwords']);
  assert.deepEqual(pgDumpallArgs('postgres', true), ['pg_dumpall', '-w', '-U', 'postgres', '-l', 'postgres', '--globals-only']);
});
