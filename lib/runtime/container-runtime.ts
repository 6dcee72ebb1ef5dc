// The one seam between pgkeep and a container engine. Docker and Podman (through its
// Docker-compatible API) both sit behind it; the socket is chosen once, at construction.
import type { Readable, Writable } from 'node:stream';

export type EngineKind = 'docker' | 'podman';

export interface ExecOptions {
  /** Streamed into the process's stdin; its end delivers EOF. */
  stdin?: Readable;
  /**
   * Where stdout goes, with backpressure: a writable, or a chain of transforms ending in one
   * (e.g. gzip, hash, file). Without it, stdout is collected into ExecResult.stdout, capped at 8 MiB.
   */
  stdout?: Writable | Array<NodeJS.ReadWriteStream | NodeJS.WritableStream>;
  /** Environment for the process only: the way secrets reach it, never argv. */
  env?: Record<string, string>;
  user?: string;
  /** Hard limit for the whole exec; the stream is cut and the call rejects with ExecTimeout. */
  timeoutMs?: number;
  /** Aborting cuts the stream, which ends pg_dump (SIGPIPE) and pg_restore/psql (EOF). */
  signal?: AbortSignal;
  /** Called with every stderr chunk as it arrives, for live narration. */
  onStderr?: (chunk: Buffer) => void;
}

export interface ExecResult {
  exitCode: number;
  /** Collected stdout, only when no ExecOptions.stdout was given. */
  stdout: string;
  /** Head and tail of stderr, capped. */
  stderr: string;
}

export interface ContainerInfo {
  name: string;
  id: string;
  image: string;
  running: boolean;
  state: string;
  /** Runs with --init (HostConfig.Init); undefined when not set, i.e. the engine's default. */
  init?: boolean;
}

export interface ScratchSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** HostConfig.Init; left to the engine's default when undefined. */
  init?: boolean;
}

export interface ContainerRuntime {
  readonly kind: EngineKind;
  /** e.g. unix:///var/run/docker.sock, for messages. */
  readonly socket: string;

  /**
   * Runs argv inside a running container (Tty: false, streams demultiplexed).
   * Contract: resolves on any exit code, non-zero included; the caller checks exitCode. Rejects
   * when the exec cannot start, the stream or a stdout destination fails, on timeout or abort.
   */
  exec(container: string, argv: string[], opts?: ExecOptions): Promise<ExecResult>;

  /** Rejects with ContainerError when the container is missing; `running` tells the rest. */
  inspect(container: string): Promise<ContainerInfo>;
  /** Like inspect, but also rejects when the container is not running, listing those that are. */
  requireRunning(container: string): Promise<ContainerInfo>;
  listRunning(): Promise<string[]>;
  start(container: string): Promise<void>;
  /**
   * Creates and starts a throwaway container with no network at all: only execs reach it.
   * The caller removes it on every path.
   */
  runScratch(spec: ScratchSpec): Promise<void>;
  /** Force-removes a container and its anonymous volumes; a missing one is not an error. */
  remove(container: string): Promise<void>;
  stop(container: string, timeoutSeconds?: number): Promise<void>;
}
