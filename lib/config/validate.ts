// projects.yml, from parsed YAML to a validated Config: every issue in the file is collected and
// reported together, each as file:line: key.path: expected …, got ….
import path from 'node:path';
import { isMap, type Document, type LineCounter } from 'yaml';
import { ConfigError } from '../errors.ts';
import { nameProblem } from '../names.ts';
import { CONTAINER_PATTERN, DATABASE_SETTINGS, DEFAULTS, POLICY_SETTINGS, type Settings } from './settings.ts';
import type { Config, ProjectConfig } from './types.ts';
import { join, Reader, type YNode } from './yaml-reader.ts';

const DATABASE_KEYS = ['type', 'container', 'databases', 'user', 'backup', ...Object.keys(DATABASE_SETTINGS)];
const DEFAULT_KEYS = [...Object.keys(DATABASE_SETTINGS), ...Object.keys(POLICY_SETTINGS), 'metrics'];

export function validateConfig(doc: Document, lines: LineCounter, file: string, shownAs = file): Config {
  const r = new Reader(shownAs, lines);
  const baseDir = path.dirname(file);
  const config: Config = { file, projects: [] };
  const root = doc.contents as YNode;
  if (!isMap(root) || root.items.length === 0) {
    r.issue(root, '', 'expected projects: top-level keys each holding a database: block (see the sample projects.yml)');
    throw new ConfigError(r.issues);
  }
  let defaults: Settings = { retention: {} };
  const projects: Array<{ name: string; keyNode: YNode; value: YNode }> = [];
  for (const e of r.entries(root, '')) {
    if (e.key === 'defaults') defaults = readDefaults(r, e.value, baseDir, config);
    else projects.push({ name: e.key, keyNode: e.keyNode, value: e.value });
  }
  for (const p of projects) {
    const project = readProject(r, p.name, p.keyNode, p.value, baseDir, defaults);
    if (project) config.projects.push(project);
  }
  if (projects.length === 0) r.issue(root, '', 'no projects: add a top-level key with a database: block');
  if (r.issues.length > 0) throw new ConfigError([...r.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return config;
}

function readDefaults(r: Reader, node: YNode, baseDir: string, config: Config): Settings {
  const s: Settings = { retention: {} };
  const map = r.map(node, 'defaults');
  if (!map) return s;
  for (const { key, value } of r.entries(map, 'defaults', DEFAULT_KEYS)) {
    const p = join('defaults', key);
    if (key === 'metrics') {
      const m = r.map(value, p);
      const entry = m && r.entries(m, p, ['textfile'])[0];
      const textfile = entry && r.string(entry.value, join(p, 'textfile'), undefined, 'a file path');
      if (textfile) config.metrics = { textfile: path.resolve(baseDir, textfile) };
      else if (m && !entry) r.issue(value, p, 'expected textfile: PATH');
    } else (DATABASE_SETTINGS[key] ?? POLICY_SETTINGS[key])!(r, value, p, s, baseDir);
  }
  return s;
}

function readProject(r: Reader, name: string, keyNode: YNode, node: YNode, baseDir: string, defaults: Settings): ProjectConfig | undefined {
  const bad = nameProblem(name);
  if (bad) r.issue(keyNode, name, `project name ${bad}`);
  const top = r.map(node, name);
  const dbEntry = top && r.entries(top, name, ['database'])[0];
  if (top && !dbEntry) r.issue(keyNode, name, 'expected a database: block');
  const db = dbEntry && r.map(dbEntry.value, join(name, 'database'));
  if (!db) return undefined;
  const p = join(name, 'database');
  const s: Settings = { retention: {} };
  const raw: Record<string, YNode> = {};
  for (const { key, value } of r.entries(db, p, DATABASE_KEYS)) {
    raw[key] = value;
    DATABASE_SETTINGS[key]?.(r, value, join(p, key), s, baseDir);
  }
  if (raw.backup !== undefined) readPolicy(r, raw.backup, join(p, 'backup'), s, baseDir);
  if (raw.type !== undefined) r.oneOf(raw.type, join(p, 'type'), ['postgresql'] as const);
  const container = required(r, raw, 'container', p, dbEntry.keyNode) && r.string(raw.container, join(p, 'container'), CONTAINER_PATTERN, 'a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)');
  const user = required(r, raw, 'user', p, dbEntry.keyNode) && r.string(raw.user, join(p, 'user'), /^[^\0]+$/, 'a PostgreSQL user name');
  const databases = required(r, raw, 'databases', p, dbEntry.keyNode) ? readDatabases(r, raw.databases, join(p, 'databases')) : undefined;
  if (!container || !user || !databases) return undefined;
  return finish(r, { name, line: r.line(keyNode), container, user, databases }, merge(defaults, s), join(p, 'app_containers'), baseDir);
}

function readPolicy(r: Reader, node: YNode, p: string, s: Settings, baseDir: string): void {
  const map = r.map(node, p);
  if (!map) return;
  for (const { key, value } of r.entries(map, p, Object.keys(POLICY_SETTINGS))) POLICY_SETTINGS[key]!(r, value, join(p, key), s, baseDir);
}

function required(r: Reader, raw: Record<string, YNode>, key: string, p: string, at: YNode): boolean {
  if (key in raw) return true;
  r.issue(at, join(p, key), `missing; expected ${key === 'databases' ? 'a map of environment to database name(s)' : `a ${key} name`}`);
  return false;
}

function readDatabases(r: Reader, node: YNode, p: string): Record<string, string[]> | undefined {
  const map = r.map(node, p);
  if (!map) return undefined;
  const out: Record<string, string[]> = {};
  for (const { key, keyNode, value } of r.entries(map, p)) {
    const bad = nameProblem(key);
    if (bad) r.issue(keyNode, join(p, key), `environment name ${bad}`);
    const check = (s: string, n: YNode, ip: string) => {
      const problem = nameProblem(s);
      if (problem) r.issue(n, ip, `database name "${s}" ${problem}`);
      return !problem;
    };
    const dbs = r.stringList(value, join(p, key), check, true);
    if (dbs && !bad) out[key] = dbs;
  }
  if (map.items.length === 0) r.issue(node, p, 'expected at least one environment, e.g. production: mydb');
  return out;
}

/** Project values over defaults; a list replaces, never merges. */
function merge(d: Settings, s: Settings): Settings {
  const out: Settings = { ...d, retention: {} };
  for (const [k, v] of Object.entries(s)) if (v !== undefined && k !== 'retention') (out as unknown as Record<string, unknown>)[k] = v;
  out.retention = { ...d.retention };
  for (const [k, v] of Object.entries(s.retention)) if (v !== undefined) (out.retention as Record<string, number>)[k] = v;
  return out;
}

function finish(r: Reader, base: Pick<ProjectConfig, 'name' | 'line' | 'container' | 'user' | 'databases'>, s: Settings, appPath: string, baseDir: string): ProjectConfig {
  const retention = Object.values(s.retention).some((v) => v !== undefined) ? s.retention : { days: DEFAULTS.retentionDays };
  const appContainers: Record<string, string[]> = {};
  for (const env of Object.keys(base.databases)) appContainers[env] = s.appContainers && 'all' in s.appContainers ? s.appContainers.all : [];
  if (s.appContainers && 'byEnv' in s.appContainers) {
    for (const [env, { list, node }] of s.appContainers.byEnv) {
      if (env in base.databases) appContainers[env] = list;
      else r.issue(node, join(appPath, env), `"${env}" is not an environment of ${base.name} (${Object.keys(base.databases).join(', ')})`);
    }
  }
  return {
    ...base,
    appContainers,
    runtime: s.runtime ?? DEFAULTS.runtime,
    backupDir: s.backupDir ?? path.resolve(baseDir, DEFAULTS.backupDir),
    format: s.format ?? DEFAULTS.format,
    compression: s.compression ?? DEFAULTS.compression,
    ...(s.passwordEnv ? { passwordEnv: s.passwordEnv } : {}),
    ...(s.passwordFile ? { passwordFile: s.passwordFile } : {}),
    noOwner: s.noOwner ?? DEFAULTS.noOwner,
    timeoutSeconds: s.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
    rowCounts: s.rowCounts ?? DEFAULTS.rowCounts,
    ...(s.notify ? { notify: s.notify } : {}),
    backup: { enabled: s.enabled ?? DEFAULTS.enabled, verifyOnRestore: s.verifyOnRestore ?? DEFAULTS.verifyOnRestore, retention },
  };
}
