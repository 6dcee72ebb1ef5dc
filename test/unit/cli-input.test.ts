// Decisions about what the operator typed: BACKUP= values, names given as flags, DOCKER_HOST.
// One line per case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBackupSpec } from '../../lib/backup/backup-spec.ts';

test('BACKUP= with the shape of a timestamp but no such time says "not a valid time"', () => {
  for (const bad of ['20261123_999999', '20261131_020000', '20260229_020000', '20261123_240000', '20261323_020000']) {
    assert.throws(() => parseBackupSpec(bad, '/w'), (e: Error) => /^BACKUP=\d{8}_\d{6} has the shape of a timestamp .* but is not a valid time$/.test(e.message), bad);
  }
  assert.deepEqual(parseBackupSpec('20280229_235959', '/w'), { kind: 'timestamp', timestamp: '20280229_235959' });
});
