// An archive's table of contents, read by pg_restore --list inside the container. Only a prefix
// of the file is sent: the TOC sits at the start of a custom-format archive, so a multi-gigabyte
// dump is not streamed just to list it.
import { Transform, type Readable } from 'node:stream';
import type { ContainerRuntime, ExecResult } from '../runtime/container-runtime.ts';
import { openArchive, type ArchiveKind } from './archive.ts';
import { pgRestoreListArgs } from './args.ts';
import { PgkeepError } from '../errors.ts';
import { tocTableEntries, type TocEntry } from './toc-entries.ts';

/** Far more than any TOC needs (about 200 bytes per object). */
export const TOC_PREFIX = 64 * 1024 * 1024;

export function readToc(runtime: ContainerRuntime, container: string, file: string, kind: ArchiveKind, env?: Record<string, string>, signal?: AbortSignal): Promise<ExecResult> {
  return runtime.exec(container, pgRestoreListArgs(), { stdin: prefix(openArchive(file, kind), TOC_PREFIX), env, signal });
}

/** The archive's TABLE entries; a TOC that cannot be read is an error, never an empty list. */
export async function readTableEntries(runtime: ContainerRuntime, container: string, file: string, kind: ArchiveKind, env?: Record<string, string>): Promise<TocEntry[]> {
  const r = await readToc(runtime, container, file, kind, env);
  if (r.exitCode !== 0) throw new PgkeepError(`pg_restore cannot read the table of contents of ${file}: ${r.stderr.trim().split('\n')[0]}`);
  return tocTableEntries(r.stdout);
}

function prefix(source: Readable, bytes: number): Readable {
  let left = bytes;
  const cut = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left <= 0) return done();
      const part = chunk.length <= left ? chunk : chunk.subarray(0, left);
      left -= part.length;
      this.push(part);
      if (left <= 0) {
        this.push(null);
        source.destroy();
      }
      done();
    },
  });
  source.on('error', (err) => cut.destroy(err));
  return source.pipe(cut);
}
