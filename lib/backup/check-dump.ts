// Checks a freshly written dump before it may take its final name: a sane size, the right magic,
// and an archive that PostgreSQL itself reads back.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { DumpFormat } from '../config/types.ts';
import { PgkeepError } from '../errors.ts';
import { readToc } from '../pg/toc.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';

/** Even an empty database's custom archive is about 1 KiB; anything this small is a broken dump. */
const MIN_SIZE = 200;

export async function checkDump(
  file: string,
  format: DumpFormat,
  size: number,
  check: { runtime: ContainerRuntime; container: string; env: Record<string, string>; signal?: AbortSignal },
): Promise<void> {
  if (size < MIN_SIZE) throw new PgkeepError(`the dump is only ${size} bytes, below the sane minimum of ${MIN_SIZE}`);
  if (format === 'custom') {
    await expectMagic(file, 'PGDMP');
    const r = await readToc(check.runtime, check.container, file, 'custom', check.env, check.signal);
    if (r.exitCode !== 0) {
      throw new PgkeepError(`pg_restore --list cannot read the archive back (exit ${r.exitCode}): ${r.stderr.trim().split('\n')[0]}`);
    }
  } else {
    await checkPlainGzip(file);
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
  let tail = '';
  const keepTail = new Writable({
    write(chunk: Buffer, _enc, cb) {
      tail = (tail + chunk.toString('utf8')).slice(-256);
      cb();
    },
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), keepTail);
  } catch (err) {
    throw new PgkeepError(`the compressed dump does not inflate: ${(err as Error).message}`);
  }
  if (!tail.includes('PostgreSQL database dump complete')) {
    throw new PgkeepError('the SQL dump lacks pg_dump\'s closing line: it is incomplete');
  }
}
