import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeReadiness, type ReadinessProbe } from '../../lib/verify/scratch-readiness.ts';

const T1 = '2026-11-23 21:40:01.123+00';
const T2 = '2026-11-23 21:40:03.456+00';
const ok = (stdout: string): ReadinessProbe => ({ exitCode: 0, stdout, stderr: '' });
const NO_SOCKET = 'psql: error: connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: No such file or directory\n\tIs the server running locally?';

test('scratch readiness: the final server, seen twice; never the temporary one, one line per case', () => {
  const cases: Array<[string, ReadinessProbe, string | undefined, boolean, string | undefined, RegExp]> = [
    ['no server yet', { exitCode: 2, stdout: '', stderr: NO_SOCKET }, undefined, false, undefined, /^psql: error: connection to server on socket .* No such file or directory$/],
    ['the exec failed', { error: new Error('container is not running') }, undefined, false, undefined, /^the exec failed: container is not running$/],
    ['starting up', { exitCode: 2, stderr: 'psql: error: FATAL:  the database system is starting up' }, T1, false, undefined, /starting up/],
    ['temporary server', ok(`${T1}|\n`), undefined, false, undefined, /listen_addresses '' \(the entrypoint's temporary initialisation server\)/],
    ['temporary server, seen twice', ok(`${T1}|`), T1, false, undefined, /temporary initialisation server/],
    ['final server, first sight', ok(`${T1}|*\n`), undefined, false, T1, /started at .* answered; waiting to see it again/],
    ['final server, second sight', ok(`${T1}|*\n`), T1, true, T1, /answered twice/],
    ['replaced since the last probe', ok(`${T2}|*`), T1, false, T2, /waiting to see it again/],
    ['listens on a list of addresses', ok(`${T1}|localhost, 10.0.0.1`), T1, true, T1, /answered twice/],
    ['psql without output', ok(''), T1, false, undefined, /unexpected answer/],
    ['psql exits 1 silently', { exitCode: 1, stdout: '', stderr: '' }, undefined, false, undefined, /^psql exited 1$/],
  ];
  for (const [what, probe, previous, ready, start, seen] of cases) {
    const r = judgeReadiness(probe, previous);
    assert.equal(r.ready, ready, what);
    assert.equal(r.start, start, what);
    assert.match(r.seen, seen, what);
  }
});
