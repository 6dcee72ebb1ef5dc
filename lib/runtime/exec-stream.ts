// Drives one exec's multiplexed stream to completion: stdin in, stdout demultiplexed into its
// destination with backpressure, stderr captured, then the exit code from exec inspect.
import { Writable, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PgkeepError } from '../errors.ts';
import { CappedText } from './capped-text.ts';
import type { ExecOptions, ExecResult } from './container-runtime.ts';
import { Demuxer } from './demux.ts';

const COLLECT_LIMIT = 8 * 1024 * 1024;

interface InspectState {
  Running?: boolean;
  ExitCode?: number | null;
}

export class ExecTimeout extends PgkeepError {}

export async function runExecStream(
  stream: Duplex | Readable,
  inspect: () => Promise<InspectState>,
  opts: ExecOptions,
): Promise<ExecResult> {
  const demux = new Demuxer(64 * 1024, opts.onStderr);
  const collected = opts.stdout ? undefined : new CappedText(COLLECT_LIMIT);
  const stop = cutOn(stream, opts);
  try {
    if (opts.stdin) feedStdin(opts.stdin, stream as Duplex);
    const sinks = opts.stdout ? (Array.isArray(opts.stdout) ? opts.stdout : [opts.stdout]) : [collector(collected!)];
    const source = opts.stdin ? tolerateEpipe(stream) : stream;
    await pipeline([source, demux, ...sinks] as unknown as [Readable, Writable]);
    stop.check();
    const exitCode = await waitForExit(inspect);
    return { exitCode, stdout: collected?.toString() ?? '', stderr: demux.stderr.toString() };
  } catch (err) {
    stop.check();
    throw err;
  } finally {
    stop.dispose();
  }
}

/** Pipes stdin into the hijacked socket; ending it half-closes the socket, which is EOF inside. */
function feedStdin(stdin: Readable, socket: Duplex): void {
  stdin.on('error', (err) => socket.destroy(err));
  stdin.pipe(socket);
}

/**
 * A reader that stops writing early (pg_restore --list, psql after an error) makes our writes fail
 * with EPIPE/ECONNRESET: that is not the exec failing. The exit code decides, so end quietly.
 */
function tolerateEpipe(stream: Duplex | Readable): Readable {
  const original = stream.emit.bind(stream);
  stream.emit = ((event: string, ...args: unknown[]) => {
    const code = (args[0] as NodeJS.ErrnoException | undefined)?.code;
    if (event === 'error' && (code === 'EPIPE' || code === 'ECONNRESET')) {
      stream.push(null);
      return true;
    }
    return original(event, ...args);
  }) as typeof stream.emit;
  return stream;
}

/** A small sink for short outputs (versions, query results); dumps always have a destination. */
function collector(text: CappedText): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      text.append(chunk);
      cb();
    },
  });
}

/** Cuts the stream on timeout or abort; check() rethrows the reason as the error to report. */
function cutOn(stream: Duplex | Readable, opts: ExecOptions) {
  let reason: Error | undefined;
  const cut = (err: Error) => {
    reason ??= err;
    stream.destroy();
  };
  const timer = opts.timeoutMs
    ? setTimeout(() => cut(new ExecTimeout(`timed out after ${Math.round(opts.timeoutMs! / 1000)} s`)), opts.timeoutMs)
    : undefined;
  const onAbort = () => cut(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    check() {
      if (reason) throw reason;
    },
    dispose() {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Exec inspect reports the exit code late: Docker says null and Podman says 0 while the process
 * still runs. Only Running === false makes ExitCode meaningful, so poll for it, with a limit.
 */
async function waitForExit(inspect: () => Promise<InspectState>, limitMs = 30_000): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 250)) {
    const state = await inspect();
    if (state.Running === false && typeof state.ExitCode === 'number') return state.ExitCode;
    if (Date.now() > deadline) {
      throw new PgkeepError(`the process did not report an exit code within ${limitMs / 1000} s after its output ended`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
