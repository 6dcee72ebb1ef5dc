// The roles side of a restore. With GLOBALS=1 the set's roles file is found and checked before
// the prompt, and applied after it; without it (and without NO_OWNER=1) the target must already
// have every role the archives name, checked before any database is created.
import type { Logger } from '../log.ts';
import type { PgAdmin } from '../pg/admin.ts';
import type { ArchiveKind } from '../pg/archive.ts';
import type { CommandHint, CommandVars } from '../cli/command-hint.ts';
import { applyGlobals, findGlobals, type AppliedRoles } from '../globals/apply-globals.ts';
import { requireRoles, rolesNeeded, type NeededRoles } from '../globals/missing-roles.ts';
import type { RestoreItem } from './plan.ts';

export interface RolesStepInput {
  admin: PgAdmin;
  env: Record<string, string>;
  items: RestoreItem[];
  kinds: ArchiveKind[];
  globals: boolean;
  noOwner: boolean;
  /** encryption.identity_file, for an encrypted roles file. */
  identityFile?: string;
  /** The restore as the operator ran it, for the paste-able ways out. */
  command: CommandHint;
  vars: CommandVars;
  log: Logger;
  signal?: AbortSignal;
}

/** Runs the checks that must pass before the prompt; returns what to do after it. */
export async function prepareRoles(i: RolesStepInput): Promise<() => Promise<AppliedRoles[]>> {
  const check = async () => {
    if (i.noOwner) return;
    const needed: NeededRoles[] = [];
    for (const [n, item] of i.items.entries()) {
      const roles = await rolesNeeded(i.admin, item.source.path, i.kinds[n]!, i.env, i.signal);
      if (roles) needed.push({ file: item.source.path, roles });
    }
    await requireRoles(i.admin, needed, {
      globals: i.command('db-restore', { ...i.vars, globals: true }),
      noOwner: i.command('db-restore', { ...i.vars, noOwner: true }),
    }, i.signal);
  };
  if (!i.globals) {
    await check();
    return async () => [];
  }
  const files = await findGlobals(i.items.map((item) => ({ path: item.source.path, timestamp: item.source.stored?.manifest.timestamp })), i.identityFile);
  return async () => {
    const applied: AppliedRoles[] = [];
    for (const g of files) applied.push(await applyGlobals(i.admin, g, i.env, i.log, i.signal));
    // A roles file from another server may still lack some: say so now, not halfway through the load.
    await check();
    return applied;
  };
}
