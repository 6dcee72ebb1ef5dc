// Only the engine's definite "no such container" means an app container is missing; any other
// inspect error (a socket hiccup, a permission problem) is passed on as itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerError } from '../../lib/errors.ts';
import { silentLogger } from '../../lib/log.ts';
import type { PgAdmin } from '../../lib/pg/admin.ts';
import { requireApps, stopApps } from '../../lib/restore/apps.ts';
import type { ContainerRuntime } from '../../lib/runtime/container-runtime.ts';

const engineDown = Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' });

function runtimeWith(inspect: (name: string) => Promise<unknown>): ContainerRuntime {
  return { kind: 'docker', socket: 'unix:///test.sock', inspect, stop: async () => {} } as unknown as ContainerRuntime;
}

describe('app containers', () => {
  const cases: Array<[string, (name: string) => Promise<unknown>, RegExp]> = [
    ['missing (404)', async (n) => { throw new ContainerError(`container "${n}" does not exist`, n); }, /app container "web" \(shop\.database\.app_containers\) does not exist/],
    ['inspect fails otherwise', async () => { throw engineDown; }, /EACCES/],
  ];
  for (const [what, inspect, message] of cases) {
    it(`requireApps: ${what}`, async () => {
      await assert.rejects(requireApps(runtimeWith(inspect), ['web'], 'shop.database.app_containers'), message);
    });
  }

  it('stopApps: an inspect error other than "no such container" is not "nothing to stop"', async () => {
    const admin = { runtime: runtimeWith(async () => { throw engineDown; }) } as unknown as PgAdmin;
    await assert.rejects(stopApps(admin, ['web'], [], silentLogger()), /EACCES/);
  });

  it('stopApps: a missing container is skipped with a warning', async () => {
    const admin = { runtime: runtimeWith(async (n) => { throw new ContainerError('gone', n); }) } as unknown as PgAdmin;
    const stopped: string[] = [];
    await stopApps(admin, ['web'], stopped, silentLogger());
    assert.deepEqual(stopped, []);
  });
});
