// From what defaults: and a project's own blocks set to the one ProjectConfig everything
// downstream reads: the project's value wins, lists replace, and the defaults fill the rest.
import path from 'node:path';
import { DEFAULTS, type AppContainers, type Settings } from './settings.ts';
import { suggest } from './suggest.ts';
import type { ProjectConfig, RetentionPolicy } from './types.ts';
import { join, type Reader } from './yaml-reader.ts';

/** The keys every project must set itself: never inherited. */
export type ProjectHead = Pick<ProjectConfig, 'name' | 'line' | 'container' | 'user' | 'databases'>;

export function normaliseProject(r: Reader, head: ProjectHead, defaults: Settings, own: Settings, baseDir: string): ProjectConfig {
  const s = mergeSettings(defaults, own);
  const envs = Object.keys(head.databases);
  const appPath = join(join(join('', head.name), 'database'), 'app_containers');
  return {
    ...head,
    appContainers: own.appContainers
      ? appContainersByEnv(r, envs, own.appContainers, appPath)
      : appContainersByEnv(undefined, envs, defaults.appContainers, appPath),
    runtime: s.runtime ?? DEFAULTS.runtime,
    backupDir: s.backupDir ?? path.resolve(baseDir, DEFAULTS.backupDir),
    format: s.format ?? DEFAULTS.format,
    compression: s.compression ?? DEFAULTS.compression,
    ...(s.passwordEnv !== undefined ? { passwordEnv: s.passwordEnv } : {}),
    ...(s.passwordFile !== undefined ? { passwordFile: s.passwordFile } : {}),
    noOwner: s.noOwner ?? DEFAULTS.noOwner,
    timeoutSeconds: s.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
    rowCounts: s.rowCounts ?? DEFAULTS.rowCounts,
    globals: { enabled: s.globals ?? DEFAULTS.globals, withPasswords: s.globalsWithPasswords ?? DEFAULTS.globalsWithPasswords },
    ...(s.notify !== undefined ? { notify: s.notify } : {}),
    ...(s.offsite !== undefined ? { offsite: s.offsite } : {}),
    ...(s.encryption !== undefined ? { encryption: s.encryption } : {}),
    backup: {
      enabled: s.enabled ?? DEFAULTS.enabled,
      verifyOnRestore: s.verifyOnRestore ?? DEFAULTS.verifyOnRestore,
      retention: retentionOrDefault(s.retention),
    },
  };
}

/** Key by key, the project's value over the default's; a list or map is replaced whole. */
export function mergeSettings(defaults: Settings, own: Settings): Settings {
  const out: Settings = { ...definedOnly(defaults), ...definedOnly(own), retention: {} };
  // password_env and password_file are one choice: a project that makes it drops the default's.
  if (own.passwordEnv !== undefined || own.passwordFile !== undefined) {
    delete out.passwordEnv;
    delete out.passwordFile;
    Object.assign(out, definedOnly({ passwordEnv: own.passwordEnv, passwordFile: own.passwordFile }));
  }
  out.retention = { ...definedOnly(defaults.retention), ...definedOnly(own.retention) };
  return out;
}

/** retention_days: 30 only when no retention key is set at all: set keys combine with OR. */
export function retentionOrDefault(policy: RetentionPolicy): RetentionPolicy {
  return Object.values(policy).some((v) => v !== undefined) ? policy : { days: DEFAULTS.retentionDays };
}

/**
 * env -> containers for every env of the project. A project's own map must name only its envs
 * (r given); a map from defaults: serves projects with different envs, so others are skipped.
 */
function appContainersByEnv(r: Reader | undefined, envs: string[], value: AppContainers | undefined, p: string): Record<string, string[]> {
  const out = new Map(envs.map((env) => [env, value && 'all' in value ? [...value.all] : []]));
  if (value && 'byEnv' in value) {
    for (const [env, { list, node }] of value.byEnv) {
      if (envs.includes(env)) out.set(env, [...list]);
      else r?.issue(node, join(p, env), notAnEnv(env, envs));
    }
  }
  // fromEntries: an env named "__proto__" must become a key, not a prototype.
  return Object.fromEntries(out);
}

export function notAnEnv(env: string, envs: string[], of = 'this project'): string {
  const best = suggest(env, envs);
  return `expected an environment of ${of} (${envs.join(', ')}), got "${env}"${best ? `; did you mean "${best}"?` : ''}`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
