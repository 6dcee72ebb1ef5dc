// The one printer. stdout carries results only (paths, tables, JSON, the final "live now" line);
// stderr carries narration, progress, warnings and errors: timestamped when it is not a TTY, so
// a cron log reads as plain lines, and coloured only on a TTY without NO_COLOR.
import { Chalk, type ChalkInstance } from 'chalk';

export interface Logger {
  /** Colours for stderr narration. */
  readonly color: ChalkInstance;
  /** Colours for stdout results: none when stdout is piped or NO_COLOR is set. */
  readonly resultColor: ChalkInstance;
  readonly interactive: boolean;
  verbose: boolean;
  info(msg: string): void;
  step(msg: string): void;
  ok(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
  /** A result line on stdout. */
  result(line: string): void;
  /** Rewrites the live progress line on a TTY; a plain timestamped line otherwise. */
  progress(msg: string): void;
  /** Ends a live progress line so the next message starts clean. */
  endProgress(): void;
}

export interface LoggerOptions {
  verbose?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const out = opts.stdout ?? process.stdout;
  const err = opts.stderr ?? process.stderr;
  const env = opts.env ?? process.env;
  const interactive = err.isTTY === true;
  const useColor = interactive && !env.NO_COLOR && env.TERM !== 'dumb';
  const color = new Chalk({ level: useColor ? 1 : 0 });
  const resultColor = new Chalk({ level: out.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb' ? 1 : 0 });
  let liveLine = false;

  const write = (text: string) => {
    if (liveLine) {
      err.write('\r\x1b[2K');
      liveLine = false;
    }
    const stamp = interactive ? '' : `${new Date().toISOString()} `;
    err.write(text.split('\n').map((l) => stamp + l).join('\n') + '\n');
  };

  const logger: Logger = {
    color,
    resultColor,
    interactive,
    verbose: opts.verbose ?? false,
    info: (m) => write(m),
    step: (m) => write(color.bold(m)),
    ok: (m) => write(color.green(m)),
    warn: (m) => write(color.yellow(`warning: ${m}`)),
    error: (m) => write(color.red(`error: ${m}`)),
    debug: (m) => {
      if (logger.verbose) write(color.dim(m));
    },
    result: (line) => {
      // PGKEEP_LOG_TIMESTAMPS=1 (the cron lines set it): results share a log with stderr, so they are stamped too.
      const stamp = env.PGKEEP_LOG_TIMESTAMPS === '1' ? `${new Date().toISOString()} ` : '';
      out.write(line.split('\n').map((l) => stamp + l).join('\n') + '\n');
    },
    progress: (m) => {
      if (!interactive) return write(m);
      err.write(`\r\x1b[2K${m}`);
      liveLine = true;
    },
    endProgress: () => {
      if (liveLine) err.write('\n');
      liveLine = false;
    },
  };
  return logger;
}

/** A logger that says nothing: the default for library callers who did not ask for narration. */
export function silentLogger(): Logger {
  const noop = () => {};
  return {
    color: new Chalk({ level: 0 }),
    resultColor: new Chalk({ level: 0 }),
    interactive: false,
    verbose: false,
    info: noop, step: noop, ok: noop, warn: noop, error: noop, debug: noop,
    result: noop, progress: noop, endProgress: noop,
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
