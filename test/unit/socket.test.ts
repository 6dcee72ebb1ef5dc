import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerodeOptions, socketCandidates } from '../../lib/runtime/socket.ts';

const urls = (...a: Parameters<typeof socketCandidates>) => socketCandidates(...a).map((c) => c.url);

test('socket order: DOCKER_HOST, CONTAINER_HOST, then runtime, then the usual places', () => {
  const cases: Array<[Parameters<typeof socketCandidates>, string[]]> = [
    [['auto', { DOCKER_HOST: 'unix:///x.sock', CONTAINER_HOST: 'unix:///y.sock' }], ['unix:///x.sock']],
    [['podman', { CONTAINER_HOST: '/y.sock' }], ['unix:///y.sock']],
    [['docker', {}], ['unix:///var/run/docker.sock']],
    [['podman', {}], ['unix:///run/podman/podman.sock']],
    [['podman', { XDG_RUNTIME_DIR: '/run/user/1000' }], ['unix:///run/podman/podman.sock', 'unix:///run/user/1000/podman/podman.sock']],
    [['auto', { XDG_RUNTIME_DIR: '/run/user/1000' }], ['unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock', 'unix:///run/user/1000/podman/podman.sock']],
    [['auto', { DOCKER_HOST: '  ' }], ['unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock']],
  ];
  for (const [args, expected] of cases) assert.deepEqual(urls(...args), expected, JSON.stringify(args));
});

test('dockerode options from socket URLs', () => {
  assert.deepEqual(dockerodeOptions('unix:///run/podman/podman.sock'), { socketPath: '/run/podman/podman.sock' });
  assert.deepEqual(dockerodeOptions('tcp://10.0.0.5:2376'), { host: '10.0.0.5', port: 2376, protocol: 'http' });
  assert.deepEqual(dockerodeOptions('tcp://engine'), { host: 'engine', port: 2375, protocol: 'http' });
});
