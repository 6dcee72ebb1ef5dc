import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { test } from 'node:test';
import { cronLines } from '../../lib/schedule/cron-lines.ts';
import { REPO } from '../support/run-script.ts';

test('the README shows exactly what db-cron prints for /srv/pgkeep with node in /usr/local/bin', async () => {
  const readme = await fs.readFile(`${REPO}/README.md`, 'utf8');
  const printed = cronLines({ repo: '/srv/pgkeep', nodeDir: '/usr/local/bin', logFile: '/var/log/pgkeep.log' }).join('\n');
  assert.ok(readme.includes('```\n' + printed + '\n```'), `README.md should hold this block:\n${printed}`);
});

test('cron lines: PATH, quoting, % escaped, timestamps on every log line, one line per case', () => {
  const cases: Array<[Parameters<typeof cronLines>[0], RegExp]> = [
    [{ repo: '/r', nodeDir: '/opt/node/bin', logFile: '/l' }, /^PATH=\/opt\/node\/bin:\/usr\/local\/bin:\/usr\/bin:\/bin$/m],
    [{ repo: '/r', nodeDir: '/usr/bin', logFile: '/l' }, /^PATH=\/usr\/bin:\/usr\/local\/bin:\/bin$/m],
    [{ repo: '/my repo', nodeDir: '/usr/bin', logFile: '/l' }, /cd '\/my repo' && /],
    [{ repo: '/r', nodeDir: '/usr/bin', logFile: '/var/log/pg%d.log', config: "/etc/it's.yml" }, /--config '\/etc\/it'\\''s\.yml' --lock-wait 600 >> \/var\/log\/pg\\%d\.log 2>&1$/m],
    [{ repo: '/r', nodeDir: '/usr/bin', logFile: '/l' }, /^0 2 \* \* \* cd \/r && PGKEEP_LOG_TIMESTAMPS=1 \.\/scripts\/scheduled-backup\.ts --lock-wait 600 >> \/l 2>&1$/m],
  ];
  for (const [input, expected] of cases) assert.match(cronLines(input).join('\n'), expected);
});

test('PGKEEP_LOG_TIMESTAMPS=1 stamps every result line; without it stdout carries the bare results', async () => {
  const { createLogger } = await import('../../lib/log.ts');
  const capture = () => {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY: false, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream };
  };
  for (const [env, stamped] of [[{ PGKEEP_LOG_TIMESTAMPS: '1' }, true], [{}, false]] as const) {
    const out = capture();
    const err = capture();
    const log = createLogger({ stdout: out.stream, stderr: err.stream, env });
    log.result('/b/shop_20261122_020000.dump\nsecond line');
    log.info('narration');
    const lines = out.chunks.join('').trimEnd().split('\n');
    const stamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /;
    assert.equal(lines.length, 2);
    for (const l of lines) assert.equal(stamp.test(l), stamped, l);
    assert.match(err.chunks.join(''), stamp, 'stderr is stamped off a TTY either way');
  }
});
