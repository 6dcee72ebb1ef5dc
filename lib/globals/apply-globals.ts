// GLOBALS=1: the roles saved with a set, applied into the target container before its databases
// are restored. The stored file's sha256 is checked first; CREATE ROLE of an existing role is
// made harmless on the way (role-rewrite.ts); every other error stops the apply and is reported.
import path from 'node:path';
import { sha256File } from '../files/checksum.ts';
import { PgkeepError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { parseBackupFileName } from '../names.ts';
import { drainingStdin } from '../pg/args.ts';
import type { PgAdmin } from '../pg/admin.ts';
import { detectArchive, openArchive, type ArchiveKind } from '../pg/archive.ts';
import { firstError } from '../pg/psql-session.ts';
import { globalsFileName } from './globals-name.ts';
import { globalsBeside, type StoredGlobals } from './globals-manifest.ts';
import { existingRoles } from './missing-roles.ts';
import { roleRewriter } from './role-rewrite.ts';

export interface BackupRef {
  /** The backup file being restored. */
  path: string;
  /** Its set's timestamp, from its manifest when it has one. */
  timestamp?: string;
}

/** A roles file found for a restore, already opened once: an encrypted one proved the identity. */
export type FoundGlobals = StoredGlobals & { kind: ArchiveKind };

/**
 * The roles file of each set being restored (one per distinct timestamp, oldest first), each
 * checked against its manifest's sha256, and an encrypted one decrypted at its start with the
 * identity. A set without one, a damaged one, or a wrong identity is refused before anything changes.
 */
export async function findGlobals(refs: BackupRef[], identityFile?: string): Promise<FoundGlobals[]> {
  const byKey = new Map<string, FoundGlobals>();
  for (const ref of refs) {
    const timestamp = ref.timestamp ?? parseBackupFileName(path.basename(ref.path))?.timestamp;
    const dir = path.dirname(ref.path);
    if (!timestamp) {
      throw new PgkeepError(`GLOBALS=1: ${ref.path} names no set (no manifest, no <db>_<timestamp> name), so there is no roles file to apply`, 'create the roles by hand first, or restore with NO_OWNER=1');
    }
    if (byKey.has(`${dir}\0${timestamp}`)) continue;
    const g = await globalsBeside(dir, timestamp);
    if (!g) {
      throw new PgkeepError(
        `GLOBALS=1: there is no roles file ${globalsFileName(timestamp)} (with its manifest) beside ${ref.path}`,
        'sets are saved with their roles when globals: true (the default since this version); for an older set, create the roles by hand or restore with NO_OWNER=1',
      );
    }
    const actual = await sha256File(g.path);
    if (actual.sha256 !== g.manifest.sha256 || actual.size !== g.manifest.size) {
      throw new PgkeepError(`the roles file ${g.path} does not match its manifest (sha256 ${actual.sha256.slice(0, 12)}…, expected ${g.manifest.sha256.slice(0, 12)}…): it is damaged`, 'take it from another copy (offsite), or restore with NO_OWNER=1');
    }
    const kind = await detectArchive(g.path, { identityFile, ...(g.manifest.plaintext ? { plaintext: g.manifest.plaintext } : {}) });
    byKey.set(`${dir}\0${timestamp}`, { ...g, kind });
  }
  return [...byKey.values()].sort((a, b) => a.manifest.timestamp.localeCompare(b.manifest.timestamp));
}

export interface AppliedRoles {
  created: string[];
  existed: string[];
  /** Left as they are on the target: its bootstrap superuser and the user pgkeep connects as. */
  kept: string[];
}

export async function applyGlobals(admin: PgAdmin, g: FoundGlobals, env: Record<string, string>, log: Logger, signal?: AbortSignal): Promise<AppliedRoles> {
  log.step(`Applying the roles from ${g.path}`);
  const bootstrap = (await admin.query('SELECT rolname FROM pg_catalog.pg_roles WHERE oid = 10;', undefined, signal))[0]?.[0];
  const keep = new Set([admin.user, ...(bootstrap ? [bootstrap] : [])]);
  const before = await existingRoles(admin, signal);
  const seen = { roles: new Set<string>(), skipped: new Set<string>() };
  const source = openArchive(g.path, g.kind);
  const rewrite = roleRewriter(keep, seen);
  source.on('error', (err) => rewrite.destroy(err));
  const argv = drainingStdin(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-w', '-U', admin.user, '-d', admin.maintenanceDb]);
  try {
    const r = await admin.runtime.exec(admin.container, argv, { stdin: source.pipe(rewrite), env, signal });
    if (r.exitCode !== 0) {
      throw new PgkeepError(
        `applying the roles from ${g.path} in container "${admin.container}" failed: ${firstError(r.stderr) ?? `psql exit ${r.exitCode}`}`,
        'the statements before the error were applied (they are safe to apply again); fix the cause and run the restore again, or restore with NO_OWNER=1',
      );
    }
  } finally {
    source.destroy();
  }
  const roles = [...seen.roles].filter((r) => !seen.skipped.has(r));
  const applied = { created: roles.filter((r) => !before.has(r)), existed: roles.filter((r) => before.has(r)), kept: [...seen.skipped] };
  const kept = applied.kept.length ? `; left as they are: ${applied.kept.join(', ')}` : '';
  log.ok(`  roles: ${applied.created.length} created, ${applied.existed.length} already there${kept}`);
  return applied;
}
