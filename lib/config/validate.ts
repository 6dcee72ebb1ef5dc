// projects.yml, from a parsed YAML document to a validated Config. Pure: no file or engine is
// touched. Every issue in the file is collected and reported together, each as
// `file:line: key.path: expected …, got …`.
import path from 'node:path';
import { isMap, isScalar, type Document, type LineCounter, type YAMLMap } from 'yaml';
import { ConfigError } from '../errors.ts';
import { nameProblem } from '../names.ts';
import { normaliseProject, notAnEnv } from './normalise.ts';
import {
  CONTAINER_PATTERN,
  CONTAINER_WHAT,
  DATABASE_SETTINGS,
  filePath,
  POLICY_SETTINGS,
  type ParseContext,
  type Settings,
} from './settings.ts';
import { suggest } from './suggest.ts';
import type { Config, ProjectConfig } from './types.ts';
import { describe, join, Reader, type Entry, type Misplaced, type YNode } from './yaml-reader.ts';

export interface ValidateOptions {
  /** The counter the document was parsed with; without it, issues carry no line numbers. */
  lineCounter?: LineCounter;
  /** The file name as messages show it (e.g. relative to the working directory). */
  shownAs?: string;
}

const HEAD_KEYS = ['type', 'container', 'databases', 'user', 'backup'];
const SETTING_KEYS = Object.keys(DATABASE_SETTINGS);
const POLICY_KEYS = Object.keys(POLICY_SETTINGS);
const DATABASE_KEYS = [...HEAD_KEYS, ...SETTING_KEYS];
const DEFAULT_KEYS = [...SETTING_KEYS, ...POLICY_KEYS, 'metrics'];

const IN_DEFAULTS = 'it belongs in the defaults: block';
const misplaced = (keys: string[], where: string): Misplaced => Object.fromEntries(keys.map((k) => [k, where]));
const MISPLACED_IN_PROJECT = { ...misplaced(DATABASE_KEYS, 'it belongs in database:'), ...misplaced(POLICY_KEYS, 'it belongs in database.backup:') };
const MISPLACED_IN_DATABASE = { ...misplaced(POLICY_KEYS, 'it belongs in database.backup:'), metrics: IN_DEFAULTS };
const MISPLACED_IN_BACKUP = { ...misplaced(DATABASE_KEYS, 'it belongs one level up, in database:'), metrics: IN_DEFAULTS };
const MISPLACED_IN_DEFAULTS = {
  ...misplaced(['type', 'container', 'databases', 'user'], 'it is set per project, in <project>.database:'),
  backup: 'defaults: is flat: put enabled, verify_on_restore, retention_days and keep_* directly under defaults:',
  database: 'defaults: is flat: put its keys directly under defaults:',
};

export const NAME_RULE = 'letters, digits, _ . -; not starting with . or -; no ".."; at most 63 bytes';

export function validateConfig(doc: Document, file: string, opts: ValidateOptions = {}): Config {
  const absolute = path.resolve(file);
  const r = new Reader(opts.shownAs ?? file, doc, opts.lineCounter ?? keptLineCounter(doc));
  const c: ParseContext = { r, baseDir: path.dirname(absolute) };
  const config: Config = { file: absolute, projects: [] };
  const root = r.deref(doc.contents as YNode);
  if (!isMap(root) || root.items.length === 0) {
    // An empty file has no line to point at: the issue is about the whole file.
    const at = describe(root) === 'nothing' ? undefined : root;
    const what = 'top-level keys: an optional defaults: block and one key per project, each with a database: block';
    r.issue(at, '', `expected ${what}, got ${describe(root)}`);
    throw withHint(r, 'see the sample projects.yml and "projects.yml reference" in README.md');
  }
  let defaults: Settings = { retention: {} };
  const projects: Entry[] = [];
  for (const e of r.entries(root, '')) {
    if (e.key === 'defaults') defaults = readDefaults(c, e.value, config);
    else projects.push(e);
  }
  // Every env named by any project, even one with other problems, so defaults: is judged fairly.
  const envs = new Set<string>();
  for (const p of projects) {
    const project = readProject(c, p, defaults, envs);
    if (project) config.projects.push(project);
  }
  if (projects.length === 0) r.issue(root, '', 'expected at least one project (a top-level key with a database: block), got only defaults:');
  checkDefaultAppEnvs(r, defaults, [...envs]);
  if (r.issues.length > 0) throw withHint(r);
  return config;
}

/** parseDocument keeps the counter it was given, though yaml's types leave it out. */
function keptLineCounter(doc: Document): LineCounter | undefined {
  return (doc.options as { lineCounter?: LineCounter }).lineCounter;
}

function withHint(r: Reader, hint?: string): ConfigError {
  const err = new ConfigError([...r.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  if (hint) err.hint = hint;
  return err;
}

function readDefaults(c: ParseContext, node: YNode, config: Config): Settings {
  // `defaults:` with every line commented out is no defaults, not an error.
  const map = isEmpty(node) ? undefined : c.r.map(node, 'defaults');
  if (!map) return { retention: {} };
  const parsers = { ...DATABASE_SETTINGS, ...POLICY_SETTINGS };
  const { settings, raw } = readBlock(c, map, 'defaults', DEFAULT_KEYS, MISPLACED_IN_DEFAULTS, parsers);
  if (raw.metrics) {
    const metrics = readMetrics(c, raw.metrics);
    if (metrics) config.metrics = metrics;
  }
  return settings;
}

function readMetrics(c: ParseContext, node: YNode): Config['metrics'] {
  const map = c.r.map(node, 'defaults.metrics', 'a mapping with textfile: PATH');
  const entry = map && c.r.entries(map, 'defaults.metrics', ['textfile'])[0];
  if (map && !entry) return c.r.expected(node, 'defaults.metrics.textfile', 'a file path for the node_exporter textfile collector');
  const textfile = entry && filePath(c, entry.value, 'defaults.metrics.textfile', 'a file path');
  return textfile === undefined ? undefined : { textfile };
}

/** A mapping's keys checked, its settings parsed; `raw` holds every allowed key's node. */
function readBlock(
  c: ParseContext,
  map: YAMLMap,
  p: string,
  allowed: string[],
  wrongPlace: Misplaced,
  parsers: Record<string, (c: ParseContext, n: YNode, p: string, s: Settings) => void>,
): { settings: Settings; raw: Record<string, YNode> } {
  const settings: Settings = { retention: {} };
  const raw: Record<string, YNode> = {};
  for (const { key, keyNode, value } of c.r.entries(map, p, allowed, wrongPlace)) {
    raw[key] = value;
    parsers[key]?.(c, value, join(p, key), settings);
    // Reported once, at the second of the two: they are one choice, not a fallback chain.
    if (key.startsWith('password_') && raw.password_env && raw.password_file) {
      c.r.issue(keyNode, join(p, key), 'expected password_env or password_file, got both');
    }
  }
  return { settings, raw };
}

function readProject(c: ParseContext, { key: name, keyNode, value: node }: Entry, defaults: Settings, envs: Set<string>): ProjectConfig | undefined {
  const at = join('', name);
  const nameOk = checkName(c.r, keyNode, at, 'a project', name);
  if (!isMap(node) || !node.items.some((pair) => isScalar(pair.key) && pair.key.value === 'database')) {
    return void notAProject(c.r, name, at, keyNode, node);
  }
  const dbEntry = c.r.entries(node, at, ['database'], MISPLACED_IN_PROJECT)[0]!;
  const p = join(at, 'database');
  const db = c.r.map(dbEntry.value, p);
  if (!db) return undefined;
  const { settings, raw } = readBlock(c, db, p, DATABASE_KEYS, MISPLACED_IN_DATABASE, DATABASE_SETTINGS);
  if (raw.backup) readPolicy(c, raw.backup, join(p, 'backup'), settings);
  if (raw.type) c.r.oneOf(raw.type, join(p, 'type'), ['postgresql'] as const);
  const head = readHead(c.r, p, raw, dbEntry.keyNode);
  if (!head.databases) return undefined;
  for (const env of Object.keys(head.databases.dbs)) envs.add(env);
  // Normalised even when the head is incomplete, so app_containers is still checked against the envs.
  const { container = '', user = '', databases } = head;
  const projectHead = { name, line: c.r.line(keyNode), container, user, databases: databases.dbs };
  const project = normaliseProject(c.r, projectHead, defaults, settings, c.baseDir);
  return nameOk && head.container && head.user && databases.complete ? project : undefined;
}

/** Why a top-level key without a database: block is not a project, as helpfully as we can. */
function notAProject(r: Reader, name: string, at: string, keyNode: YNode, node: YNode): void {
  if (suggest(name, ['defaults'])) return void r.issue(keyNode, at, `unknown top-level key "${name}"; did you mean "defaults"?`);
  if (DEFAULT_KEYS.includes(name)) return void r.issue(keyNode, at, `"${name}" does not belong at the top level; ${IN_DEFAULTS}`);
  const what = 'a project: a mapping with a database: block (container, user, databases)';
  if (!isMap(node) || node.items.length === 0) return void r.expected(node, at, what);
  // Each key is reported on its own: "databse" gets a did-you-mean, "container" where it belongs.
  r.entries(node, at, ['database'], MISPLACED_IN_PROJECT);
}

function readPolicy(c: ParseContext, node: YNode, p: string, s: Settings): void {
  const map = isEmpty(node) ? undefined : c.r.map(node, p);
  if (!map) return;
  for (const { key, value } of c.r.entries(map, p, POLICY_KEYS, MISPLACED_IN_BACKUP)) {
    POLICY_SETTINGS[key]!(c, value, join(p, key), s);
  }
}

/** `key:` with nothing after it. */
function isEmpty(node: YNode): boolean {
  return isScalar(node) && node.value === null;
}

interface Head {
  container?: string;
  user?: string;
  /** Every env key found, even one whose names were wrong: `complete` says all were right. */
  databases?: { dbs: Record<string, string[]>; complete: boolean };
}

function readHead(r: Reader, p: string, raw: Record<string, YNode>, at: YNode): Head {
  const need = (key: string, what: string) => key in raw || !!r.issue(at, join(p, key), `expected ${what}, got nothing (the key is missing)`);
  return {
    container: need('container', CONTAINER_WHAT) ? r.string(raw.container, join(p, 'container'), CONTAINER_WHAT, CONTAINER_PATTERN) : undefined,
    user: need('user', 'a PostgreSQL user name') ? readUser(r, raw.user, join(p, 'user')) : undefined,
    databases: need('databases', 'a map of environment to database name(s)') ? readDatabases(r, raw.databases, join(p, 'databases')) : undefined,
  };
}

function readUser(r: Reader, node: YNode, p: string): string | undefined {
  const user = r.string(node, p, 'a PostgreSQL user name');
  if (user === undefined) return undefined;
  if (user.includes('\0') || Buffer.byteLength(user) > 63) {
    return r.issue(node, p, `expected a PostgreSQL user name (no NUL byte, at most 63 bytes), got ${JSON.stringify(user)}`);
  }
  return user;
}

function readDatabases(r: Reader, node: YNode, p: string): Head['databases'] {
  const map = r.map(node, p, 'a map of environment to database name(s), e.g. production: mydb');
  if (!map) return undefined;
  if (map.items.length === 0) return r.expected(node, p, 'at least one environment, e.g. production: mydb');
  // Pairs, then fromEntries: an env named "__proto__" must become a key, not a prototype.
  const pairs: Array<[string, string[]]> = [];
  let complete = true;
  for (const { key, keyNode, value } of r.entries(map, p)) {
    const envOk = checkName(r, keyNode, join(p, key), 'an environment', key);
    const check = (db: string, n: YNode, ip: string) => checkName(r, n, ip, 'a database', db);
    const what = 'a database name or a non-empty list of names';
    const list = r.stringList(value, join(p, key), { what, itemWhat: 'a database name', check, single: true });
    pairs.push([key, list ?? []]);
    complete = complete && envOk && list !== undefined;
  }
  return { dbs: Object.fromEntries(pairs), complete };
}

/** Project, env and database names become paths and SQL identifiers: see lib/names.ts. */
function checkName(r: Reader, node: YNode, p: string, kind: string, name: string): boolean {
  const problem = nameProblem(name);
  if (problem) r.issue(node, p, `expected ${kind} name (${NAME_RULE}), got ${JSON.stringify(name)}, which ${problem}`);
  return problem === undefined;
}

/** A defaults: map of env -> app containers must name an env some project has: else a typo. */
function checkDefaultAppEnvs(r: Reader, defaults: Settings, envs: string[]): void {
  const value = defaults.appContainers;
  if (!value || !('byEnv' in value) || envs.length === 0) return;
  for (const [env, { node }] of value.byEnv) {
    if (!envs.includes(env)) r.issue(node, join('defaults.app_containers', env), notAnEnv(env, envs, 'some project'));
  }
}
