// Which engine socket to talk to: DOCKER_HOST/CONTAINER_HOST, then the config's `runtime:`,
// then the usual places. Pure, so the order is tested without an engine.
import path from 'node:path';
import type { RuntimeChoice } from '../config/types.ts';

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

function normaliseUrl(value: string): string {
  return value.startsWith('/') ? `unix://${value}` : value;
}

/** dockerode's connection options for a socket URL. */
export function dockerodeOptions(url: string): { socketPath: string } | { host: string; port: number; protocol: 'http' } {
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  const u = new URL(url.replace(/^tcp:/, 'http:'));
  return { host: u.hostname, port: Number(u.port || 2375), protocol: 'http' };
}
