// Turns PROJECT/ENV/DB selectors into backup targets. A selector that matches nothing is a usage
// error (exit 2) with a did-you-mean, found before any engine is touched.
import { UsageError } from '../errors.ts';
import { suggest } from './suggest.ts';
import type { Config, ProjectConfig } from './types.ts';

export interface Selection {
  project?: string;
  env?: string;
  db?: string;
}

export interface Target {
  project: ProjectConfig;
  env: string;
  databases: string[];
}

export interface SelectOptions {
  /** Disabled projects are skipped unless named explicitly (PROJECT=). */
  includeDisabled?: boolean;
}

export function selectTargets(config: Config, sel: Selection, opts: SelectOptions = {}): Target[] {
  const projects = pickProjects(config, sel, opts);
  const targets: Target[] = [];
  for (const project of projects) {
    for (const [env, dbs] of Object.entries(project.databases)) {
      if (sel.env !== undefined && env !== sel.env) continue;
      const databases = sel.db === undefined ? dbs : dbs.filter((d) => d === sel.db);
      if (databases.length > 0) targets.push({ project, env, databases });
    }
  }
  if (targets.length === 0) throw nothingMatches(config, projects, sel);
  return targets;
}

function pickProjects(config: Config, sel: Selection, opts: SelectOptions): ProjectConfig[] {
  if (sel.project === undefined) {
    return config.projects.filter((p) => p.backup.enabled || opts.includeDisabled);
  }
  const found = config.projects.find((p) => p.name === sel.project);
  if (!found) {
    throw new UsageError(
      `no project "${sel.project}" in ${config.file}${didYouMean(sel.project, config.projects.map((p) => p.name))}`,
      `projects there: ${config.projects.map((p) => p.name).join(', ')}`,
    );
  }
  return [found];
}

function nothingMatches(config: Config, projects: ProjectConfig[], sel: Selection): UsageError {
  const envs = unique(projects.flatMap((p) => Object.keys(p.databases)));
  if (sel.env !== undefined && !envs.includes(sel.env)) {
    return new UsageError(`no environment "${sel.env}"${scope(sel)} in ${config.file}${didYouMean(sel.env, envs)}`, `environments: ${envs.join(', ')}`);
  }
  const dbs = unique(
    projects.flatMap((p) => Object.entries(p.databases).filter(([e]) => sel.env === undefined || e === sel.env).flatMap(([, d]) => d)),
  );
  if (sel.db !== undefined) {
    return new UsageError(`no database "${sel.db}"${scope(sel)} in ${config.file}${didYouMean(sel.db, dbs)}`, `databases: ${dbs.join(', ') || 'none'}`);
  }
  return new UsageError(`nothing to back up in ${config.file}: every project is disabled (backup.enabled: false)`, 'name one with PROJECT= to back it up anyway');
}

function scope(sel: Selection): string {
  const parts = [sel.project && `project ${sel.project}`, sel.env !== undefined && sel.db !== undefined && `env ${sel.env}`].filter(Boolean);
  return parts.length ? ` for ${parts.join(', ')}` : '';
}

function didYouMean(input: string, choices: string[]): string {
  const best = suggest(input, choices);
  return best ? `; did you mean "${best}"?` : '';
}

const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
