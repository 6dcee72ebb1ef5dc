// What kind of dump a file is, judged by its bytes, not its name: a custom archive, a custom
// archive gzipped again (the seed scripts' name_<ts>.dump.gz), or plain SQL, gzipped or not; any
// of them possibly age-encrypted, in which case the identity is needed to look inside.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { decryptPrefix, decryptStage, isAgeHeader, plaintextCheck, requireIdentity, type Plaintext } from '../crypto/age-file.ts';
import { PgkeepError } from '../errors.ts';

export type DumpKind = 'custom' | 'custom-gz' | 'plain' | 'plain-gz';

export interface ArchiveKind {
  dump: DumpKind;
  /** Set for an age-encrypted file: how to decrypt it, and what the plaintext must be. */
  age?: { identityFile: string; plaintext?: Plaintext };
}

export interface DetectOptions {
  /** The project's encryption.identity_file; needed only for encrypted files. */
  identityFile?: string;
  /** The manifest's plaintext record, checked when the plaintext is read to its end. */
  plaintext?: Plaintext;
}

const HEAD = 64 * 1024;

/**
 * For an encrypted file this decrypts the first 64 KiB: a wrong or missing identity is refused
 * here, which callers do before any database is touched.
 */
export async function detectArchive(file: string, opts: DetectOptions = {}): Promise<ArchiveKind> {
  const head = await readHead(file, HEAD);
  if (!isAgeHeader(head)) return { dump: classify(file, head) };
  const identityFile = await requireIdentity(file, opts.identityFile);
  const inner = await decryptPrefix(file, identityFile, HEAD);
  return { dump: classify(file, inner), age: { identityFile, ...(opts.plaintext ? { plaintext: opts.plaintext } : {}) } };
}

function classify(file: string, head: Buffer): DumpKind {
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'custom';
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const inner = inflatePrefix(head);
    return inner.subarray(0, 5).toString('latin1') === 'PGDMP' ? 'custom-gz' : 'plain-gz';
  }
  if (/^(--|SET |\\connect|CREATE |BEGIN)/m.test(head.subarray(0, 4096).toString('utf8'))) return 'plain';
  throw new PgkeepError(`${file} is not a PostgreSQL dump: neither a custom-format archive nor SQL, gzipped or not`);
}

/**
 * The file's bytes as pg_restore/psql should read them: decrypted and gunzipped on the host, in
 * the stream. Destroying the returned stream ends every stage (and the age process) behind it.
 */
export function openArchive(file: string, kind: ArchiveKind): Readable {
  const raw = createReadStream(file);
  const stages: NodeJS.ReadWriteStream[] = [];
  if (kind.age) {
    stages.push(decryptStage(file, kind.age.identityFile));
    if (kind.age.plaintext) stages.push(plaintextCheck(file, kind.age.plaintext));
  }
  if (kind.dump === 'custom-gz' || kind.dump === 'plain-gz') stages.push(createGunzip());
  if (stages.length === 0) return raw;
  // The last stage carries any stage's error; an early close by the reader is not one.
  return pipeline(raw, ...(stages as [NodeJS.ReadWriteStream]), () => undefined) as unknown as Readable;
}

export const isCustom = (k: ArchiveKind): boolean => k.dump === 'custom' || k.dump === 'custom-gz';

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
