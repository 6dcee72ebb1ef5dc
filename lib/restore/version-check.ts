// A dump from a newer server than the target is refused up front: pg_restore would fail half-way.
import { Readable } from 'node:stream';
import { PgkeepError } from '../errors.ts';
import { readToc } from '../pg/toc.ts';
import type { PgAdmin } from '../pg/admin.ts';
import { openArchive, isCustom, type ArchiveKind } from '../pg/archive.ts';
import type { RestoreSource } from '../backup/backup-spec.ts';
import { majorOf } from './plan.ts';

export async function refuseOlderTarget(admin: PgAdmin, source: RestoreSource, kind: ArchiveKind, targetVersionNum: number): Promise<void> {
  const dumpMajor = source.stored ? majorOf(source.stored.manifest.server.version_num) : await archiveMajor(admin, source.path, kind);
  const targetMajor = majorOf(targetVersionNum);
  if (dumpMajor !== undefined && dumpMajor > targetMajor) {
    throw new PgkeepError(
      `${source.path} comes from PostgreSQL ${dumpMajor}, and container "${admin.container}" runs PostgreSQL ${targetMajor}: restoring into an older server is refused`,
      `restore into a PostgreSQL ${dumpMajor} (or newer) server, e.g. with --container`,
    );
  }
}

/** The source server's major version as the dump itself states it. */
async function archiveMajor(admin: PgAdmin, file: string, kind: ArchiveKind): Promise<number | undefined> {
  let text: string;
  if (isCustom(kind)) {
    const r = await readToc(admin.runtime, admin.container, file, kind);
    if (r.exitCode !== 0) {
      if (/unsupported version/.test(r.stderr)) {
        throw new PgkeepError(`${file} was written by a newer pg_dump than container "${admin.container}" can read: restoring into an older server is refused`);
      }
      throw new PgkeepError(`pg_restore cannot read ${file}: ${r.stderr.trim().split('\n')[0]}`);
    }
    text = r.stdout;
  } else {
    text = await head(openArchive(file, kind), 8192);
  }
  const m = /Dumped from database version:? (\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) >= 10 ? Number(m[1]) : Number(`${m[1]}${m[2] ?? ''}`);
}

async function head(stream: Readable, bytes: number): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length >= bytes) break;
  }
  stream.destroy();
  return text;
}
