// Finds an engine that answers and wraps it in a ContainerRuntime, once per socket.
import Docker from 'dockerode';
import type { RuntimeChoice } from '../config/types.ts';
import { EngineError } from '../errors.ts';
import type { ContainerRuntime, EngineKind } from './container-runtime.ts';
import { DockerodeRuntime } from './dockerode-runtime.ts';
import { dockerodeOptions, socketCandidates } from './socket.ts';

const cache = new Map<string, Promise<ContainerRuntime>>();

export function connectRuntime(choice: RuntimeChoice, env: NodeJS.ProcessEnv = process.env): Promise<ContainerRuntime> {
  const candidates = socketCandidates(choice, env);
  const key = candidates.map((c) => c.url).join(' ');
  let runtime = cache.get(key);
  if (!runtime) {
    runtime = firstAnswering(candidates, choice);
    cache.set(key, runtime);
    runtime.catch(() => cache.delete(key));
  }
  return runtime;
}

async function firstAnswering(candidates: ReturnType<typeof socketCandidates>, choice: RuntimeChoice): Promise<ContainerRuntime> {
  const tried: string[] = [];
  for (const c of candidates) {
    const docker = new Docker({ ...dockerodeOptions(c.url), timeout: 0 });
    try {
      await answerWithin(docker.ping(), 5000);
      return new DockerodeRuntime(docker, await engineKind(docker), c.url);
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
