// Nothing with a final name is ever incomplete: write a temporary file in the same directory,
// fsync it, then move it into place; directories are fsynced so the rename itself survives a crash.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { explainDiskError } from './disk-error.ts';
import { makeDir } from './make-dir.ts';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/**
 * The end of a dump's pipeline: hashes and counts what reaches the disk and writes it to the open
 * temporary file in batches (writev), then fsyncs and closes it. One stage instead of a hashing
 * transform plus a WriteStream, so the stream costs little more than the raw `> file`.
 */
export class HashingFileSink extends Writable {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');

  /** `file` is the path of the open file, named in errors (a full disk, say). */
  constructor(private readonly handle: fs.FileHandle, private readonly file = 'the backup file') {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this._writev([{ chunk }], done);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (err?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    let total = 0;
    for (const b of buffers) {
      this.hash.update(b);
      total += b.length;
    }
    this.handle.writev(buffers).then(({ bytesWritten }) => {
      if (bytesWritten !== total) return done(explainDiskError(Object.assign(new Error('short write'), { code: 'ENOSPC' }), this.file) as Error);
      this.bytes += total;
      done();
    }, (err: unknown) => done(explainDiskError(err, this.file) as Error));
  }

  override _final(done: (err?: Error | null) => void): void {
    this.handle.sync().then(() => this.handle.close()).then(() => done(), (err: unknown) => done(explainDiskError(err, this.file) as Error));
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.handle.close().then(() => done(err), () => done(err));
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** mkdir -p; every directory pgkeep creates or owns below `root` gets 0700, whatever the umask. */
export async function ensurePrivateDir(root: string, ...parts: string[]): Promise<string> {
  await makeDir(root, DIR_MODE);
  let dir = root;
  for (const part of parts) {
    dir = path.join(dir, part);
    await makeDir(dir, DIR_MODE);
    await fs.chmod(dir, DIR_MODE);
  }
  return dir;
}

/** Creates the temporary file exclusively (never clobbering) with mode 0600. */
export async function createPartial(file: string): Promise<fs.FileHandle> {
  const handle = await fs.open(file, 'wx', FILE_MODE).catch((err: unknown) => {
    throw explainDiskError(err, file, 'creating');
  });
  await handle.chmod(FILE_MODE);
  return handle;
}

/**
 * Moves a fully written temporary file to its final name without ever replacing an existing file:
 * link() fails if the name is taken, where rename() would silently overwrite.
 */
export async function commitPartial(partial: string, final: string): Promise<void> {
  const handle = await fs.open(partial, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.link(partial, final);
  await fs.unlink(partial);
  await syncDir(path.dirname(final));
}

/** Atomically replaces `file` with `data` (manifests, metrics): temp, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = FILE_MODE): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const handle = await fs.open(tmp, 'w', mode).catch((err: unknown) => {
    throw explainDiskError(err, file);
  });
  try {
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw explainDiskError(err, file);
  }
  await handle.close();
  await fs.rename(tmp, file);
  await syncDir(path.dirname(file));
}

/** Points `link` at `target` (a bare file name) by creating a new link and renaming it over the old. */
export async function swapSymlink(link: string, target: string): Promise<void> {
  const tmp = path.join(path.dirname(link), `.${path.basename(link)}.${process.pid}.partial`);
  await fs.rm(tmp, { force: true });
  await fs.symlink(target, tmp);
  await fs.rename(tmp, link);
  await syncDir(path.dirname(link));
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
