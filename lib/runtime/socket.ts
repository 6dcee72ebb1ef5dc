// Which engine socket to talk to: DOCKER_HOST/CONTAINER_HOST, then the config's `runtime:`,
// then the usual places. Pure, so the order and the TLS decisions are tested without an engine.
import os from 'node:os';
import path from 'node:path';
import type { RuntimeChoice } from '../config/types.ts';
import { UsageError } from '../errors.ts';

export interface SocketCandidate {
  /** unix:///path or tcp://host:port */
  url: string;
  source: string;
}

export function socketCandidates(choice: RuntimeChoice, env: NodeJS.ProcessEnv): SocketCandidate[] {
  for (const name of ['DOCKER_HOST', 'CONTAINER_HOST'] as const) {
    const value = env[name]?.trim();
    if (value) return [{ url: normaliseUrl(value), source: name }];
  }
  const docker = { url: 'unix:///var/run/docker.sock', source: 'default Docker socket' };
  const podman = [{ url: 'unix:///run/podman/podman.sock', source: 'rootful Podman socket' }];
  if (env.XDG_RUNTIME_DIR) {
    const rootless = path.join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock');
    podman.push({ url: `unix://${rootless}`, source: 'rootless Podman socket' });
  }
  if (choice === 'docker') return [docker];
  if (choice === 'podman') return podman;
  return [docker, ...podman];
}

/** As the docker CLI reads DOCKER_HOST: a bare path is a unix socket, a bare host:port is tcp. */
function normaliseUrl(value: string): string {
  if (value.startsWith('/')) return `unix://${value}`;
  return value.includes('://') ? value : `tcp://${value}`;
}

/** Where the client certificates are read from, and whether all three must be there. */
export interface TlsFiles {
  dir: string;
  /** True when DOCKER_CERT_PATH names the directory: then ca.pem, cert.pem and key.pem must exist. */
  required: boolean;
}

export type EndpointOptions =
  | { socketPath: string }
  | { host: string; port: number; protocol: 'http' }
  | { host: string; port: number; protocol: 'https'; tls: TlsFiles };

/**
 * dockerode's connection options for a socket URL, decided as the docker CLI does: TLS when
 * DOCKER_TLS_VERIFY or DOCKER_TLS is set (any non-empty value), when DOCKER_CERT_PATH is set, or on
 * port 2376, Docker's TLS port, which never gets plain HTTP. TLS always verifies the server.
 * What pgkeep cannot speak (ssh://, npipe://, fd://) is refused with what to do instead.
 */
export function dockerodeOptions(url: string, env: NodeJS.ProcessEnv = {}): EndpointOptions {
  const where = `DOCKER_HOST=${url}`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new UsageError(`${where}: expected an absolute socket path after unix://, e.g. unix:///var/run/docker.sock`);
    return { socketPath };
  }
  if (scheme === 'ssh') {
    throw new UsageError(
      `${where}: pgkeep does not speak ssh:// to an engine`,
      'forward the remote socket and point DOCKER_HOST at it, e.g. ssh -nNT -L /tmp/remote-docker.sock:/var/run/docker.sock user@host, then DOCKER_HOST=unix:///tmp/remote-docker.sock',
    );
  }
  if (scheme !== 'tcp') {
    throw new UsageError(`${where}: pgkeep supports unix:///path and tcp://host:port, not ${scheme ?? 'this'}://`, 'set DOCKER_HOST to the engine\'s unix socket or tcp address');
  }
  let u: URL;
  try {
    u = new URL(url.replace(/^tcp:/i, 'http:'));
  } catch {
    throw new UsageError(`${where} is not a valid address: expected tcp://host:port`);
  }
  if (!u.hostname) throw new UsageError(`${where} names no host: expected tcp://host:port`);
  const set = (name: string) => (env[name] ?? '') !== '';
  const port = u.port ? Number(u.port) : undefined;
  const tls = set('DOCKER_TLS_VERIFY') || set('DOCKER_TLS') || set('DOCKER_CERT_PATH') || port === 2376;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!tls) return { host, port: port ?? 2375, protocol: 'http' };
  const dir = set('DOCKER_CERT_PATH') ? env.DOCKER_CERT_PATH! : path.join(env.HOME || os.homedir(), '.docker');
  return { host, port: port ?? 2376, protocol: 'https', tls: { dir, required: set('DOCKER_CERT_PATH') } };
}
