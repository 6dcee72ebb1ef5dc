import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainRestoreError } from '../../lib/archive/explain.ts';

test('a missing role names the object, the command and the flag that fixes it', () => {
  const stderr = [
    'pg_restore: while PROCESSING TOC:',
    'pg_restore: from TOC entry 215; 1259 16390 TABLE orders alice',
    'pg_restore: error: could not execute query: ERROR:  role "alice" does not exist',
    'Command was: ALTER TABLE public.orders OWNER TO alice;',
  ].join('\n');
  const e = explainRestoreError(stderr, 'pg_restore');
  assert.equal(e.message, 'pg_restore failed on TABLE orders alice: role "alice" does not exist (command was: ALTER TABLE public.orders OWNER TO alice;)');
  assert.match(e.hint ?? '', /--no-owner/);
});

test('explains what it can and never hides the error', () => {
  const cases: Array<[string, RegExp, RegExp | undefined]> = [
    ['psql:<stdin>:12: ERROR:  syntax error at or near "FOO"', /psql failed: syntax error at or near "FOO"/, undefined],
    ['pg_restore: error: could not execute query: ERROR:  child column "g" specifies generation expression', /generation expression/, /pg_upgrade/],
    ['pg_restore: error: unsupported version (1.16) in file header', /unsupported version \(1\.16\) in file header/, undefined],
    ['', /no message/, undefined],
  ];
  for (const [stderr, message, hint] of cases) {
    const e = explainRestoreError(stderr, stderr.startsWith('psql') ? 'psql' : 'pg_restore');
    assert.match(e.message, message);
    if (hint) assert.match(e.hint ?? '', hint);
    else assert.equal(e.hint, undefined, stderr);
  }
});
