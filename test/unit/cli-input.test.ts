// Decisions about what the operator typed: BACKUP= values, names given as flags, DOCKER_HOST.
// One line per case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Docker from 'dockerode';
import { parseBackupSpec } from '../../lib/backup/backup-spec.ts';
import { parseArgs } from '../../lib/cli/parse-args.ts';
import { ContainerError, UsageError } from '../../lib/errors.ts';
import { DockerodeRuntime } from '../../lib/runtime/dockerode-runtime.ts';

test('BACKUP= with the shape of a timestamp but no such time says "not a valid time"', () => {
  for (const bad of ['20261123_999999', '20261131_020000', '20260229_020000', '20261123_240000', '20261323_020000']) {
    assert.throws(() => parseBackupSpec(bad, '/w'), (e: Error) => /^BACKUP=\d{8}_\d{6} has the shape of a timestamp .* but is not a valid time$/.test(e.message), bad);
  }
  assert.deepEqual(parseBackupSpec('20280229_235959', '/w'), { kind: 'timestamp', timestamp: '20280229_235959' });
});

const RESTORE_FLAGS = { strings: ['project', 'env', 'db', 'target-db', 'container', 'backup'] };

test('names given as flags get the config rules: refused with the flag, the value and the reason', () => {
  const cases: Array<[string[], RegExp | undefined]> = [
    [['--target-db', 'shop_copy'], undefined],
    [['--db', 'filter-ical'], undefined],
    [['--container', 'pg-main.1'], undefined],
    [['--project', 'filter-ical', '--env', 'production'], undefined],
    [['--target-db', '../x'], /^--target-db "\.\.\/x" is not a valid database name: it must not contain a path separator$/],
    [['--target-db', 'a b'], /^--target-db "a b" is not a valid database name/],
    [['--target-db=-rf'], /must not start with a dash/],
    [['--target-db', 'x"; DROP DATABASE y; --'], /^--target-db .* is not a valid database name/],
    [['--target-db', 'x'.repeat(64)], /at most 63 bytes/],
    [['--db', '$(touch /tmp/p)'], /^--db .* is not a valid database name/],
    [['--db', 'shop;rm'], /is not a valid database name/],
    [['--container', '../../images/x'], /^--container "\.\.\/\.\.\/images\/x" is not a valid container name/],
    [['--container', 'a?b'], /is not a valid container name/],
    [['--container=-x'], /is not a valid container name/],
    [['--env', 'prod/..'], /is not a valid environment name/],
    [['--project', "it's"], /is not a valid project name/],
  ];
  for (const [argv, problem] of cases) {
    if (problem) assert.throws(() => parseArgs(argv, RESTORE_FLAGS), (e: Error) => e instanceof UsageError && problem.test(e.message), argv.join(' '));
    else assert.doesNotThrow(() => parseArgs(argv, RESTORE_FLAGS), argv.join(' '));
  }
});

test('the runtime never puts a container name unencoded into an API path', async () => {
  const docker = new Docker({ socketPath: '/nonexistent.sock' });
  const paths: string[] = [];
  (docker.modem as unknown as { dial: (o: { path: string }, cb: (e: Error) => void) => void }).dial = (o, cb) => {
    paths.push(o.path);
    cb(Object.assign(new Error('stop'), { statusCode: 500 }));
  };
  const rt = new DockerodeRuntime(docker, 'docker', 'unix:///nonexistent.sock');
  for (const bad of ['../../images/x', 'a?b', 'a/b', 'a#b', '%2e%2e', '..', '']) {
    await assert.rejects(rt.inspect(bad), (e: Error) => e instanceof ContainerError && /is not a valid container name/.test(e.message), bad);
    await assert.rejects(rt.exec(bad, ['true']), ContainerError, bad);
    await assert.rejects(rt.remove(bad), ContainerError, bad);
  }
  assert.deepEqual(paths, [], 'nothing reached the engine');
  await assert.rejects(rt.inspect('pg.main-1'), /stop/);
  assert.deepEqual(paths, ['/containers/pg.main-1/json?']);
});

test('BACKUP=latest with no local backup names the offsite copy only when the project has offsite:', async () => {
  const { resolveStored } = await import('../../lib/backup/backup-spec.ts');
  const command = (target: string, vars: Record<string, unknown> = {}) => `make ${target} ${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(' ')}`.trim();
  const hint = (offsiteFallback: boolean) => {
    try {
      resolveStored({ spec: { kind: 'latest' }, stored: [], databases: ['shop'], where: '/b/shop/production', command: command as never, offsiteFallback });
    } catch (err) {
      return (err as { hint?: string }).hint ?? '';
    }
    return 'no error';
  };
  assert.match(hint(true), /restore the offsite copy: make db-restore backup=latest db=shop from=offsite$/);
  assert.doesNotMatch(hint(false), /offsite/);
});
