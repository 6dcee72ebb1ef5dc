// Streams a dump from the host into pg_restore or psql inside the container, into a database
// that already exists (a temporary one, or the target of --in-place).
import { Transform } from 'node:stream';
import { PgkeepError } from '../errors.ts';
import { drainingStdin } from '../pg/args.ts';
import type { Logger } from '../log.ts';
import type { PgAdmin } from '../pg/admin.ts';
import { trackProgress } from '../backup/progress.ts';
import { isCustom, openArchive, type ArchiveKind } from '../pg/archive.ts';
import { explainRestoreError } from './explain.ts';

export interface LoadArchiveOptions {
  admin: PgAdmin;
  database: string;
  file: string;
  kind: ArchiveKind;
  noOwner: boolean;
  env: Record<string, string>;
  log: Logger;
  signal?: AbortSignal;
}

export function restoreArgv(o: Pick<LoadArchiveOptions, 'admin' | 'database' | 'kind' | 'noOwner'>): string[] {
  if (isCustom(o.kind)) {
    const argv = ['pg_restore', '-w', '-U', o.admin.user, '-d', o.database, '--exit-on-error'];
    if (o.noOwner) argv.push('--no-owner', '--no-privileges');
    return argv;
  }
  return ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-w', '-U', o.admin.user, '-d', o.database];
}

export async function loadArchive(o: LoadArchiveOptions): Promise<void> {
  const argv = restoreArgv(o);
  // Count on the way through: a 'data' listener here would start the flow before exec pipes it.
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const source = openArchive(o.file, o.kind);
  // A failed decryption or plaintext check ends the input; it is the error to report, whatever psql says.
  let sourceError: Error | undefined;
  source.on('error', (err) => {
    sourceError ??= err;
    counted.destroy(err);
  });
  const input = source.pipe(counted);
  const progress = trackProgress(o.log, `restoring into ${o.database}`, () => bytes);
  try {
    const r = await o.admin.runtime.exec(o.admin.container, drainingStdin(argv), { stdin: input, env: o.env, signal: o.signal }).catch((err: unknown) => {
      throw sourceError ?? err;
    });
    if (sourceError) throw sourceError;
    if (r.exitCode !== 0) {
      const e = explainRestoreError(r.stderr, isCustom(o.kind) ? 'pg_restore' : 'psql');
      throw new PgkeepError(e.message, e.hint);
    }
  } finally {
    progress.stop();
    source.destroy();
    input.destroy();
  }
}
