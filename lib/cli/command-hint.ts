// The make commands pgkeep prints as advice ("To restore this set: make db-restore ..."). Every one
// must run as printed: it names the config when it is not the default ./projects.yml, and the
// project and environment whenever the config has more than one to choose from. Pure: decided
// from the config's facts and the working directory, tested with a table.
import path from 'node:path';
import type { Config } from '../config/types.ts';

export type MakeTarget = 'db-backup' | 'db-restore' | 'db-list-backups' | 'db-verify' | 'db-prune' | 'db-pre-deploy' | 'db-deployments';

/** The variables a hint may carry; undefined ones are left out. */
export interface CommandVars {
  project?: string;
  env?: string;
  db?: string;
  backup?: string;
  label?: string;
  targetDb?: string;
  container?: string;
  /** FROM=offsite: the backup is resolved in the bucket. */
  from?: 'offsite';
  inPlace?: boolean;
  /** GLOBALS=1: apply the set's roles first. */
  globals?: boolean;
  /** NO_OWNER=1: restore without ownership and privileges. */
  noOwner?: boolean;
  yes?: boolean;
}

/** What a hint needs to know about the config: its file and which projects/envs it offers. */
export interface ConfigFacts {
  /** Absolute path of the config file in use. */
  file: string;
  /** Empty when unknown (before the config is read): then PROJECT= and ENV= are always printed. */
  projects: Array<{ name: string; envs: string[]; enabled: boolean }>;
}

/** A hint printer bound to one config and working directory. */
export type CommandHint = (target: MakeTarget, vars?: CommandVars) => string;

export function configFacts(config: Pick<Config, 'file' | 'projects'>): ConfigFacts {
  return { file: config.file, projects: config.projects.map((p) => ({ name: p.name, envs: Object.keys(p.databases), enabled: p.backup.enabled })) };
}

export function commandHint(config: ConfigFacts | Pick<Config, 'file' | 'projects'>, cwd = process.cwd()): CommandHint {
  const facts = isFacts(config) ? config : configFacts(config);
  return (target, vars = {}) => makeCommand(target, vars, facts, cwd);
}

export function makeCommand(target: MakeTarget, vars: CommandVars, facts: ConfigFacts, cwd: string): string {
  const parts = ['make', target];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) parts.push(`${name}=${shellWord(makeValue(value))}`);
  };
  add('CONFIG', configArg(facts.file, cwd));
  add('PROJECT', needsProject(facts, vars.project) ? vars.project : undefined);
  add('ENV', needsEnv(facts, vars.project, vars.env) ? vars.env : undefined);
  add('DB', vars.db);
  add('BACKUP', vars.backup);
  add('LABEL', vars.label);
  add('TARGET_DB', vars.targetDb);
  add('CONTAINER', vars.container);
  add('FROM', vars.from);
  if (vars.inPlace) parts.push('IN_PLACE=1');
  if (vars.globals) parts.push('GLOBALS=1');
  if (vars.noOwner) parts.push('NO_OWNER=1');
  if (vars.yes) parts.push('YES=1');
  return parts.join(' ');
}

/** Left out only for the default ./projects.yml; relative when under cwd, else absolute. */
function configArg(file: string, cwd: string): string | undefined {
  if (file === path.resolve(cwd, 'projects.yml')) return undefined;
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Selection skips disabled projects unless named, and needs a name when there are several. */
function needsProject(facts: ConfigFacts, project: string | undefined): boolean {
  if (project === undefined) return false;
  const p = facts.projects.find((x) => x.name === project);
  return !p || facts.projects.length > 1 || !p.enabled;
}

function needsEnv(facts: ConfigFacts, project: string | undefined, env: string | undefined): boolean {
  if (env === undefined) return false;
  const p = facts.projects.find((x) => x.name === project);
  return !p || p.envs.length > 1 || !p.envs.includes(env);
}

/** make expands $ in command-line values; $$ is a literal $. */
const makeValue = (v: string) => v.replaceAll('$', () => '$$');

/** Quoted for a POSIX shell only when needed, so plain values stay readable. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

const isFacts = (c: ConfigFacts | Pick<Config, 'file' | 'projects'>): c is ConfigFacts =>
  c.projects.every((p) => 'envs' in p);

/** The same printer with PROJECT= and ENV= filled in for one target. */
export function forTarget(command: CommandHint, project: string, env: string): CommandHint {
  return (target, vars = {}) => command(target, { project, env, ...vars });
}
