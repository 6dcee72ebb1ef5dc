// Raw system errors become one sentence with the path or socket and what to do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainDiskError } from '../../lib/files/disk-error.ts';
import { PgkeepError } from '../../lib/errors.ts';
import { explainLost } from '../../lib/runtime/engine-lost.ts';

const errno = (code: string, message = `${code}: something, write`) => Object.assign(new Error(message), { code });

describe('explainDiskError', () => {
  const cases: Array<[string, Error, RegExp | undefined]> = [
    ['full disk', errno('ENOSPC'), /^no space left on device while writing \/b\/x\.partial$/],
    ['quota', errno('EDQUOT'), /^disk quota exceeded while writing/],
    ['read-only', errno('EROFS'), /^the file system is read-only while writing/],
    ['permission', errno('EACCES'), /^permission denied while writing/],
    ['not a disk error', errno('EINVAL'), undefined],
  ];
  for (const [name, err, expected] of cases) {
    it(name, () => {
      const out = explainDiskError(err, '/b/x.partial');
      if (!expected) return assert.equal(out, err);
      assert.ok(out instanceof PgkeepError);
      assert.match(out.message, expected);
      assert.match(out.hint ?? '', /\/b\b.*then run again/);
    });
  }
  it('leaves pgkeep errors alone', () => {
    const e = new PgkeepError('x');
    assert.equal(explainDiskError(e, '/f'), e);
  });
});

describe('explainLost', () => {
  const cases: Array<[string, Error, boolean]> = [
    ['socket hang up', new Error('socket hang up'), true],
    ['aborted', new Error('aborted'), true],
    ['reset', errno('ECONNRESET'), true],
    ['socket gone', errno('ENOENT', 'connect ENOENT /tmp/x.sock'), true],
    ['an ordinary error', new Error('boom'), false],
    ['a pgkeep error', new PgkeepError('interrupted by SIGINT'), false],
  ];
  for (const [name, err, lost] of cases) {
    it(name, () => {
      const out = explainLost(err, 'podman', 'unix:///tmp/x.sock', 'db', ['pg_dump', '-d', 'x']);
      if (!lost) return assert.equal(out, err);
      assert.match((out as Error).message, /^lost the connection to podman at unix:\/\/\/tmp\/x\.sock while running pg_dump in container "db"/);
    });
  }
});
