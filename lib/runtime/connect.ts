// Finds an engine that answers and wraps it in a ContainerRuntime, once per socket.
import Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';
import type { RuntimeChoice } from '../config/types.ts';
import { EngineError, UsageError } from '../errors.ts';
import type { ContainerRuntime, EngineKind } from './container-runtime.ts';
import { DockerodeRuntime, type FoundElsewhere } from './dockerode-runtime.ts';
import { dockerodeOptions, socketCandidates, type EndpointOptions, type SocketCandidate } from './socket.ts';

const cache = new Map<string, Promise<ContainerRuntime>>();

export function connectRuntime(choice: RuntimeChoice, env: NodeJS.ProcessEnv = process.env): Promise<ContainerRuntime> {
  const candidates = socketCandidates(choice, env);
  const key = candidates.map((c) => c.url).join(' ');
  let runtime = cache.get(key);
  if (!runtime) {
    runtime = firstAnswering(candidates, choice, env);
    cache.set(key, runtime);
    runtime.catch(() => cache.delete(key));
  }
  return runtime;
}

async function firstAnswering(candidates: SocketCandidate[], choice: RuntimeChoice, env: NodeJS.ProcessEnv): Promise<ContainerRuntime> {
  // Refuse an unusable DOCKER_HOST before any engine is touched (exit 2, with what to do).
  const clients = candidates.map((c) => ({ c, docker: newClient(c.url, env) }));
  const tried: string[] = [];
  for (const { c, docker } of clients) {
    try {
      await answerWithin(docker.ping(), 5000);
      // Only when pgkeep chose the socket itself: a DOCKER_HOST the operator set is their choice.
      const elsewhere = c.source !== 'DOCKER_HOST' && c.source !== 'CONTAINER_HOST' ? (name: string) => findElsewhere(name, c.url, env) : undefined;
      return new DockerodeRuntime(docker, await engineKind(docker), c.url, elsewhere);
    } catch (err) {
      tried.push(`${c.url} (${c.source}: ${(err as Error).message.split('\n')[0]})`);
    }
  }
  throw new EngineError(
    `no container engine answered (runtime: ${choice}); tried ${tried.join('; ')}`,
    tried,
    'start Docker (dockerd) or the Podman API (podman system service --time=0 unix:///run/podman/podman.sock), or set DOCKER_HOST',
  );
}

/** Every option is given, so docker-modem's own reading of DOCKER_HOST never overrides the decision. */
function newClient(url: string, env: NodeJS.ProcessEnv): Docker {
  try {
    return buildClient(url, env);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // docker-modem reads DOCKER_HOST and DOCKER_CERT_PATH itself in its constructor and throws raw errors.
    throw new UsageError(`the Docker client cannot use this environment (DOCKER_HOST=${env.DOCKER_HOST ?? ''}): ${(err as Error).message}`, 'fix or unset DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH');
  }
}

function buildClient(url: string, env: NodeJS.ProcessEnv): Docker {
  const o: EndpointOptions = dockerodeOptions(url, env);
  if ('socketPath' in o) return new Docker({ socketPath: o.socketPath, host: undefined, timeout: 0 });
  if (o.protocol === 'http') return new Docker({ host: o.host, port: o.port, protocol: 'http', ca: undefined, cert: undefined, key: undefined, timeout: 0 });
  const read = (name: string): Buffer | undefined => {
    const file = path.join(o.tls.dir, name);
    try {
      return fs.readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !o.tls.required) return undefined;
      throw new UsageError(
        `DOCKER_HOST=${url} uses TLS, but ${file} cannot be read (${code ?? (err as Error).message})`,
        'put ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (default ~/.docker), as for the docker CLI',
      );
    }
  };
  const [ca, cert, key] = [read('ca.pem'), read('cert.pem'), read('key.pem')];
  if (!cert !== !key) throw new UsageError(`DOCKER_HOST=${url} uses TLS, but ${o.tls.dir} holds only one of cert.pem and key.pem`, 'put both there, or neither');
  return new Docker({ host: o.host, port: o.port, protocol: 'https', ca, cert, key, timeout: 0 });
}

/** The default sockets other than the one in use, asked whether they hold `container`. */
async function findElsewhere(container: string, inUse: string, env: NodeJS.ProcessEnv): Promise<FoundElsewhere | undefined> {
  for (const c of socketCandidates('auto', { XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR })) {
    if (c.url === inUse) continue;
    const docker = newClient(c.url, env);
    try {
      // Generous: this runs only on the way to an error. The kind is the socket's, which is what
      // `runtime:` selects (asking the engine's version is slow on a loaded Podman).
      await answerWithin(docker.getContainer(encodeURIComponent(container)).inspect(), 15_000);
      return { kind: /podman/i.test(c.source) ? 'podman' : 'docker', socket: c.url };
    } catch {
      // Missing there too, or that engine is down: nothing to add.
    }
  }
  return undefined;
}

async function engineKind(docker: Docker): Promise<EngineKind> {
  const v = (await docker.version()) as { Components?: Array<{ Name?: string }> };
  return v.Components?.some((c) => /podman/i.test(c.Name ?? '')) ? 'podman' : 'docker';
}

function answerWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
