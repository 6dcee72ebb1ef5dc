// Before a restore that keeps ownership and privileges: every role the archive's schema names
// (owners, grantees, grantors) must exist in the target container, or pg_restore would stop at
// the first `OWNER TO` halfway through the load. Checked before any database is created, from the
// SQL pg_restore --schema-only prints (it reads only the archive's TOC, like --list).
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { PgkeepError } from '../errors.ts';
import { drainingStdin } from '../pg/args.ts';
import type { PgAdmin } from '../pg/admin.ts';
import { isCustom, openArchive, type ArchiveKind } from '../pg/archive.ts';
import { prefix, TOC_PREFIX } from '../pg/toc.ts';
import { firstError } from '../pg/psql-session.ts';
import { plural } from '../plural.ts';
import { roleRefs } from './role-refs.ts';

/** The roles an archive's schema names; undefined for plain SQL, which is not read twice. */
export async function rolesNeeded(admin: PgAdmin, file: string, kind: ArchiveKind, env: Record<string, string>, signal?: AbortSignal): Promise<Set<string> | undefined> {
  if (!isCustom(kind)) return undefined;
  const found = new Set<string>();
  const argv = drainingStdin(['pg_restore', '--schema-only', '-f', '-']);
  const r = await admin.runtime.exec(admin.container, argv, { stdin: prefix(openArchive(file, kind), TOC_PREFIX), stdout: lineScanner((l) => roleRefs(l).forEach((x) => found.add(x))), env, signal });
  if (r.exitCode !== 0) throw new PgkeepError(`pg_restore cannot read the schema of ${file} to check its roles: ${firstError(r.stderr) ?? `exit ${r.exitCode}`}`);
  return found;
}

export async function existingRoles(admin: PgAdmin, signal?: AbortSignal): Promise<Set<string>> {
  return new Set((await admin.query('SELECT rolname FROM pg_catalog.pg_roles;', undefined, signal)).map((r) => r[0]!));
}

export interface NeededRoles {
  file: string;
  roles: Set<string>;
}

/** Throws, naming the missing roles and both ways out, when the target lacks any role the archives need. */
export async function requireRoles(admin: PgAdmin, needed: NeededRoles[], waysOut: { globals: string; noOwner: string }, signal?: AbortSignal): Promise<void> {
  const have = await existingRoles(admin, signal);
  const missing = [...new Set(needed.flatMap((n) => [...n.roles]))].filter((r) => !have.has(r)).sort();
  if (missing.length === 0) return;
  const files = needed.filter((n) => [...n.roles].some((r) => !have.has(r))).map((n) => n.file);
  throw new PgkeepError(
    `container "${admin.container}" lacks ${plural(missing.length, 'role')} that ${files.join(', ')} ${files.length > 1 ? 'need' : 'needs'} (owners or grantees of its objects): ${missing.map((r) => JSON.stringify(r)).join(', ')}; nothing was restored`,
    `apply the roles saved with the backup first: ${waysOut.globals}\n  or restore without ownership and privileges: ${waysOut.noOwner}`,
  );
}

/** A sink that calls `onLine` for every complete line, decoding UTF-8 across chunk edges. */
function lineScanner(onLine: (line: string) => void): Writable {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop()!;
      lines.forEach(onLine);
      done();
    },
    final(done) {
      rest += decoder.end();
      if (rest) onLine(rest);
      done();
    },
  });
}
