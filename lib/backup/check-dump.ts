// Checks a freshly written dump before it may take its final name: a sane size, the right magic,
// and an archive that PostgreSQL itself reads back. An encrypted dump is checked the same way on
// its way to age (a backup host holds only the recipients, never the identity to read it back).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { PassThrough, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { DumpFormat } from '../config/types.ts';
import { PgkeepError } from '../errors.ts';
import { pgRestoreListArgs } from '../pg/args.ts';
import { readToc, TOC_PREFIX } from '../pg/toc.ts';
import type { ContainerRuntime, ExecResult } from '../runtime/container-runtime.ts';

/** Even an empty database's custom archive is about 1 KiB; anything this small is a broken dump. */
const MIN_SIZE = 200;
const CLOSING_LINE = 'PostgreSQL database dump complete';

export interface CheckTarget {
  runtime: ContainerRuntime;
  container: string;
  env: Record<string, string>;
  signal?: AbortSignal;
}

export async function checkDump(file: string, format: DumpFormat, size: number, check: CheckTarget): Promise<void> {
  checkSize(size);
  if (format === 'custom') {
    await expectMagic(file, 'PGDMP');
    tocReadable(await readToc(check.runtime, check.container, file, { dump: 'custom' }, check.env, check.signal));
  } else {
    await checkPlainGzip(file);
  }
}

function checkSize(size: number): void {
  if (size < MIN_SIZE) throw new PgkeepError(`the dump is only ${size} bytes, below the sane minimum of ${MIN_SIZE}`);
}

function tocReadable(r: ExecResult): void {
  if (r.exitCode !== 0) {
    throw new PgkeepError(`pg_restore --list cannot read the archive back (exit ${r.exitCode}): ${r.stderr.trim().split('\n')[0]}`);
  }
}

async function expectMagic(file: string, magic: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(magic.length);
    await handle.read(buf, 0, magic.length, 0);
    if (buf.toString('latin1') !== magic) throw new PgkeepError(`the dump does not start with ${magic}: not a custom-format archive`);
  } finally {
    await handle.close();
  }
}

/** The whole gzip stream must inflate, and pg_dump's closing comment must be its last words. */
async function checkPlainGzip(file: string): Promise<void> {
  const tail = tailKeeper();
  try {
    await pipeline(createReadStream(file), createGunzip(), tail.sink);
  } catch (err) {
    throw new PgkeepError(`the compressed dump does not inflate: ${(err as Error).message}`);
  }
  if (!tail.text().includes(CLOSING_LINE)) throw new PgkeepError('the SQL dump lacks pg_dump\'s closing line: it is incomplete');
}

function tailKeeper(): { sink: Writable; text: () => string } {
  let tail = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      tail = (tail + chunk.toString('utf8')).slice(-256);
      cb();
    },
  });
  return { sink, text: () => tail };
}

/**
 * A pass-through stage for the plaintext, placed before the encryption: it hashes and counts it,
 * and tees it into the same checks checkDump runs on a file (pg_restore --list of the first
 * TOC_PREFIX bytes, or a full gzip inflate). The tee waits for the check's drain, so memory stays
 * bounded by the streams' buffers; the dump is paced by the slower of the file and the check.
 */
export class PlaintextCheck extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly side = new PassThrough({ highWaterMark: 1024 * 1024 });
  private head = Buffer.alloc(0);
  private sideOpen = true;
  private flushed = false;
  private readonly verdict: Promise<void>;

  constructor(private readonly format: DumpFormat, check: CheckTarget) {
    super({ highWaterMark: 1024 * 1024 });
    this.verdict = format === 'custom' ? this.checkToc(check) : this.checkGzip();
    // Judged in result(); a rejection before then is not unhandled.
    this.verdict.catch(() => undefined);
  }

  private async checkToc(check: CheckTarget): Promise<void> {
    let r: ExecResult;
    try {
      r = await check.runtime.exec(check.container, pgRestoreListArgs(), { stdin: this.side, env: check.env, signal: check.signal });
    } finally {
      // Nobody reads the side any more: a tee waiting for its drain must go on.
      this.sideOpen = false;
      this.side.destroy();
    }
    tocReadable(r);
  }

  private async checkGzip(): Promise<void> {
    const tail = tailKeeper();
    try {
      await pipeline(this.side, createGunzip(), tail.sink);
    } catch (err) {
      this.sideOpen = false;
      throw new PgkeepError(`the compressed dump does not inflate: ${(err as Error).message}`);
    }
    if (!tail.text().includes(CLOSING_LINE)) throw new PgkeepError('the SQL dump lacks pg_dump\'s closing line: it is incomplete');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    if (this.head.length < 5) this.head = Buffer.concat([this.head, chunk.subarray(0, 5)]);
    const before = this.bytes;
    this.bytes += chunk.length;
    this.push(chunk);
    if (!this.sideOpen || this.side.destroyed) return done();
    // The TOC check needs only the archive's start, as readToc sends from a file.
    const part = this.isToc() ? chunk.subarray(0, Math.max(0, TOC_PREFIX - before)) : chunk;
    const flowing = part.length === 0 || this.side.write(part);
    if (this.isToc() && this.bytes >= TOC_PREFIX) this.closeSide();
    if (flowing || !this.sideOpen) return done();
    const go = () => {
      this.side.off('drain', go).off('close', go);
      done();
    };
    this.side.on('drain', go).on('close', go);
  }

  override _flush(done: (err?: Error | null) => void): void {
    this.flushed = true;
    this.closeSide();
    done();
  }

  // autoDestroy runs this after a clean end too: then the check must still read what is buffered.
  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    // With an error, so the check's own pipeline or exec ends at once rather than waiting for EOF.
    if (err || !this.flushed) this.side.destroy(err ?? new PgkeepError('the dump stopped before its end'));
    done(err);
  }

  private isToc(): boolean {
    return this.format === 'custom';
  }

  private closeSide(): void {
    if (!this.sideOpen) return;
    this.sideOpen = false;
    this.side.end();
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  /** The checks' verdict, once the dump has ended (or failed: then it ends the side check too). */
  async result(): Promise<void> {
    this.closeSide();
    await this.verdict;
    checkSize(this.bytes);
    if (this.isToc() && this.head.subarray(0, 5).toString('latin1') !== 'PGDMP') {
      throw new PgkeepError('the dump does not start with PGDMP: not a custom-format archive');
    }
  }
}
