// A psql process inside the container whose stdin stays open, so one transaction can span several
// queries: the snapshot pgkeep exports for pg_dump, and the row counts taken in that same snapshot.
import { PassThrough, Writable } from 'node:stream';
import type { ContainerRuntime, ExecResult } from '../runtime/container-runtime.ts';
import { psqlArgs, type ConnectTo } from './args.ts';

export class PsqlError extends Error {
  constructor(readonly stderr: string, readonly exitCode: number | undefined) {
    super(firstError(stderr) ?? `psql exited with code ${exitCode}`);
  }
}

/** The line that explains a client failure, without the connection preamble. */
export function firstError(stderr: string): string | undefined {
  const lines = stderr.split('\n');
  const line = lines.find((l) => /\b(ERROR|FATAL|error):/.test(l)) ?? lines.find((l) => l.trim());
  const server = line && /\b(?:ERROR|FATAL):\s+(.*)$/.exec(line);
  return (server ? server[1] : line)?.replace(/^(psql|pg_dump|pg_restore): (error: )?/, '').trim();
}

interface Pending {
  marker: string;
  lines: string[];
  resolve: (rows: string[][]) => void;
  reject: (err: Error) => void;
}

export class PsqlSession {
  private readonly stdin = new PassThrough();
  private readonly done: Promise<ExecResult>;
  private pending: Pending[] = [];
  private partial = '';
  private seq = 0;
  private exited?: Error;

  constructor(runtime: ContainerRuntime, container: string, to: ConnectTo, env?: Record<string, string>, signal?: AbortSignal) {
    const stdout = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        this.onOutput(chunk.toString('utf8'));
        cb();
      },
    });
    this.done = runtime.exec(container, psqlArgs(to), { stdin: this.stdin, stdout, env, signal });
    this.done.then(
      (r) => this.fail(new PsqlError(r.stderr, r.exitCode)),
      (err: Error) => this.fail(err),
    );
  }

  /** Runs SQL (psql meta-commands allowed) and resolves with its rows, fields split. */
  query(sql: string): Promise<string[][]> {
    if (this.exited) return Promise.reject(this.exited);
    const marker = `__pgkeep_done_${++this.seq}_${process.pid}__`;
    return new Promise((resolve, reject) => {
      this.pending.push({ marker, lines: [], resolve, reject });
      this.stdin.write(`${sql}\n\\echo ${marker}\n`);
    });
  }

  /** Ends stdin (EOF ends psql and with it any open transaction) and waits for the exit. */
  async close(): Promise<ExecResult> {
    this.stdin.end();
    return this.done;
  }

  private onOutput(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const head = this.pending[0];
      if (!head) continue;
      if (line === head.marker) {
        this.pending.shift();
        head.resolve(head.lines.map((l) => l.split('\x1f')));
      } else head.lines.push(line);
    }
  }

  private fail(err: Error): void {
    this.exited = err;
    for (const p of this.pending.splice(0)) p.reject(err);
  }
}
