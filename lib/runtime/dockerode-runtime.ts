// ContainerRuntime over dockerode: the Docker Engine API, or Podman's Docker-compatible one.
import Docker from 'dockerode';
import type { Duplex, Readable } from 'node:stream';
import { ContainerError } from '../errors.ts';
import { containerNameProblem } from '../names.ts';
import type { ContainerInfo, ContainerRuntime, EngineKind, ExecOptions, ExecResult, ScratchSpec } from './container-runtime.ts';
import { explainLost } from './engine-lost.ts';
import { runExecStream } from './exec-stream.ts';

/** Another engine that holds a container this one does not. */
export interface FoundElsewhere {
  kind: EngineKind;
  socket: string;
}

export class DockerodeRuntime implements ContainerRuntime {
  constructor(
    private readonly docker: Docker,
    readonly kind: EngineKind,
    readonly socket: string,
    /** Asked when a container is missing here, so the error can say which engine has it. */
    private readonly findElsewhere?: (container: string) => Promise<FoundElsewhere | undefined>,
  ) {}

  async exec(container: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    try {
      return await this.execUnexplained(container, argv, opts);
    } catch (err) {
      throw explainLost(err, this.kind, this.socket, container, argv);
    }
  }

  private async execUnexplained(container: string, argv: string[], opts: ExecOptions): Promise<ExecResult> {
    const withStdin = opts.stdin !== undefined;
    const exec = await this.container(container).exec({
      Cmd: argv,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: withStdin,
      Tty: false,
      Env: opts.env ? Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) : undefined,
      User: opts.user,
    });
    // hijack gives the raw socket, so ending stdin half-closes it and the process sees EOF.
    const stream = (await exec.start({ hijack: withStdin, stdin: withStdin, Tty: false })) as Duplex | Readable;
    return runExecStream(stream, () => exec.inspect(), opts);
  }

  async inspect(container: string): Promise<ContainerInfo> {
    try {
      const info = await this.container(container).inspect();
      return {
        name: info.Name.replace(/^\//, ''),
        id: info.Id,
        image: info.Config.Image,
        running: info.State.Running === true,
        state: info.State.Status,
        init: info.HostConfig.Init ?? undefined,
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      const other = await this.findElsewhere?.(container).catch(() => undefined);
      if (other) {
        throw new ContainerError(
          `container "${container}" does not exist on ${this.kind} (${this.socket}), but it exists on ${other.kind} (${other.socket})`,
          container,
          `set runtime: ${other.kind} for this project in projects.yml (database.runtime, or runtime in defaults:), so pgkeep talks to ${other.kind}`,
        );
      }
      throw new ContainerError(
        `container "${container}" does not exist on ${this.kind} (${this.socket}); ${await this.runningList()}`,
        container,
        `check database.container in projects.yml, or the runtime/socket (DOCKER_HOST) pgkeep talks to`,
      );
    }
  }

  async requireRunning(container: string): Promise<ContainerInfo> {
    const info = await this.inspect(container);
    if (info.running) return info;
    throw new ContainerError(
      `container "${container}" is not running (state: ${info.state}) on ${this.kind} (${this.socket}); ${await this.runningList()}`,
      container,
      `start it with: ${this.kind} start ${container}`,
    );
  }

  async listRunning(): Promise<string[]> {
    const list = await this.docker.listContainers();
    return list.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')).sort();
  }

  async start(container: string): Promise<void> {
    try {
      await this.container(container).start();
    } catch (err) {
      // 304: already running, which is what we wanted.
      if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    }
  }

  async runScratch(spec: ScratchSpec): Promise<void> {
    const c = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      // NetworkMode none: Docker and Podman (compat API) both leave only the loopback interface.
      HostConfig: { NetworkMode: 'none', ...(spec.init !== undefined ? { Init: spec.init } : {}) },
    });
    await c.start();
  }

  async remove(container: string): Promise<void> {
    try {
      await this.container(container).remove({ force: true, v: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }

  async stop(container: string, timeoutSeconds = 10): Promise<void> {
    try {
      await this.container(container).stop({ t: timeoutSeconds });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    }
  }

  /**
   * docker-modem pastes the name into the API path unencoded ('/containers/' + id + '/json'), so a
   * name like ../../images/x or a?b would reach another endpoint: refuse what is no container name,
   * and encode the rest anyway.
   */
  private container(name: string): Docker.Container {
    const problem = containerNameProblem(name);
    if (problem) throw new ContainerError(`"${name}" is not a valid container name: it ${problem}`, name, 'check database.container in projects.yml or --container');
    return this.docker.getContainer(encodeURIComponent(name));
  }

  private async runningList(): Promise<string> {
    const names = await this.listRunning().catch(() => []);
    return names.length ? `running containers: ${names.join(', ')}` : 'no containers are running';
  }
}
