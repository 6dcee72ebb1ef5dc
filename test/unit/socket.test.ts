import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../lib/errors.ts';
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
  assert.deepEqual(dockerodeOptions('tcp://engine'), { host: 'engine', port: 2375, protocol: 'http' });
  assert.deepEqual(dockerodeOptions('tcp://10.0.0.5:2375'), { host: '10.0.0.5', port: 2375, protocol: 'http' });
});

test('DOCKER_HOST tcp:// decides TLS as the docker CLI does, and never plain HTTP to port 2376', () => {
  const home = { HOME: '/home/op' };
  const tls = (dir: string, required: boolean) => ({ tls: { dir, required } });
  const cases: Array<[string, NodeJS.ProcessEnv, object]> = [
    ['tcp://10.0.0.5:2376', home, { host: '10.0.0.5', port: 2376, protocol: 'https', ...tls('/home/op/.docker', false) }],
    ['tcp://e:2375', { ...home, DOCKER_TLS_VERIFY: '1' }, { host: 'e', port: 2375, protocol: 'https', ...tls('/home/op/.docker', false) }],
    ['tcp://e', { ...home, DOCKER_TLS_VERIFY: '1' }, { host: 'e', port: 2376, protocol: 'https', ...tls('/home/op/.docker', false) }],
    ['tcp://e:2375', { ...home, DOCKER_TLS: '1' }, { host: 'e', port: 2375, protocol: 'https', ...tls('/home/op/.docker', false) }],
    ['tcp://e:9000', { ...home, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, { host: 'e', port: 9000, protocol: 'https', ...tls('/certs', true) }],
    ['tcp://e:9000', { ...home, DOCKER_CERT_PATH: '/certs' }, { host: 'e', port: 9000, protocol: 'https', ...tls('/certs', true) }],
    ['tcp://e:2375', { ...home, DOCKER_TLS_VERIFY: '' }, { host: 'e', port: 2375, protocol: 'http' }],
    ['tcp://[::1]:2375', home, { host: '::1', port: 2375, protocol: 'http' }],
  ];
  for (const [url, env, expected] of cases) assert.deepEqual(dockerodeOptions(url, env), expected, `${url} ${JSON.stringify(env)}`);
});

test('DOCKER_HOST forms pgkeep cannot speak are refused with what to do (exit 2)', () => {
  const cases: Array<[string, RegExp]> = [
    ['ssh://op@db1', /^DOCKER_HOST=ssh:\/\/op@db1: pgkeep does not speak ssh:\/\/ to an engine$/],
    ['npipe:////./pipe/docker_engine', /supports unix:\/\/\/path and tcp:\/\/host:port, not npipe:\/\//],
    ['fd://', /not fd:\/\//],
    ['http://e:2375', /not http:\/\//],
    ['unix://relative.sock', /expected an absolute socket path/],
    ['tcp://', /is not a valid address|names no host/],
  ];
  for (const [url, message] of cases) {
    assert.throws(() => dockerodeOptions(url, {}), (e: Error) => e instanceof UsageError && e.exitCode === 2 && message.test(e.message), url);
  }
  const ssh = (() => { try { dockerodeOptions('ssh://op@db1', {}); } catch (e) { return e as UsageError; } })();
  assert.match(ssh?.hint ?? '', /ssh -nNT -L .* DOCKER_HOST=unix:\/\//);
});

test('DOCKER_HOST without a scheme reads as the docker CLI reads it', () => {
  assert.deepEqual(urls('auto', { DOCKER_HOST: '/run/x.sock' }), ['unix:///run/x.sock']);
  assert.deepEqual(urls('auto', { DOCKER_HOST: 'engine:2375' }), ['tcp://engine:2375']);
});
