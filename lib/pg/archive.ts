// What kind of dump a file is, judged by its bytes, not its name: a custom archive, a custom
// archive gzipped again (the seed scripts' name_<ts>.dump.gz), or plain SQL, gzipped or not.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { PgkeepError } from '../errors.ts';

export type ArchiveKind = 'custom' | 'custom-gz' | 'plain' | 'plain-gz';

export async function detectArchive(file: string): Promise<ArchiveKind> {
  const head = await readHead(file, 64 * 1024);
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'custom';
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const inner = inflatePrefix(head);
    return inner.subarray(0, 5).toString('latin1') === 'PGDMP' ? 'custom-gz' : 'plain-gz';
  }
  if (/^(--|SET |\\connect|CREATE |BEGIN)/m.test(head.subarray(0, 4096).toString('utf8'))) return 'plain';
  throw new PgkeepError(`${file} is not a PostgreSQL dump: neither a custom-format archive nor SQL, gzipped or not`);
}

/** The file's bytes as pg_restore/psql should read them: gzip undone on the host, streamed. */
export function openArchive(file: string, kind: ArchiveKind): Readable {
  const raw = createReadStream(file);
  if (kind === 'custom' || kind === 'plain') return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

export const isCustom = (k: ArchiveKind): boolean => k === 'custom' || k === 'custom-gz';

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new PgkeepError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function inflatePrefix(gz: Buffer): Buffer {
  try {
    return gunzipSync(gz, { finishFlush: 2 /* Z_SYNC_FLUSH: a prefix is fine */ });
  } catch {
    return Buffer.alloc(0);
  }
}
