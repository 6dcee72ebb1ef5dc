// The optional settings a project's `database:` block (and its `backup:` block) shares with the
// flat `defaults:` block: each key with its parser, and the defaults next to them.
import path from 'node:path';
import { isMap, isScalar } from 'yaml';
import type { DumpFormat, EncryptionConfig, NotifyConfig, OffsiteConfig, RetentionPolicy, RowCountMode, RuntimeChoice } from './types.ts';
import { readOffsite } from './offsite-settings.ts';
import { join, type Reader, type YNode } from './yaml-reader.ts';
import { CONTAINER_PATTERN } from '../names.ts';
import { recipientProblem } from '../crypto/recipient.ts';

/** What one block sets; unset keys stay undefined so a project can inherit them. */
export interface Settings {
  runtime?: RuntimeChoice;
  backupDir?: string;
  format?: DumpFormat;
  compression?: number;
  passwordEnv?: string;
  passwordFile?: string;
  noOwner?: boolean;
  /** A list for every env, or env -> list; checked against the project's envs when merged. */
  appContainers?: AppContainers;
  timeoutSeconds?: number;
  rowCounts?: RowCountMode;
  notify?: NotifyConfig;
  globals?: boolean;
  globalsWithPasswords?: boolean;
  offsite?: OffsiteConfig;
  encryption?: EncryptionConfig;
  enabled?: boolean;
  verifyOnRestore?: boolean;
  retention: RetentionPolicy;
}

export type AppContainers = { all: string[] } | { byEnv: Map<string, { list: string[]; node: YNode }> };

export const DEFAULTS = {
  runtime: 'auto' as RuntimeChoice,
  /** Relative to the config file's directory, like every relative path in the file. */
  backupDir: './backups',
  format: 'custom' as DumpFormat,
  compression: 6,
  noOwner: false,
  timeoutSeconds: 3600,
  rowCounts: 'exact' as RowCountMode,
  enabled: true,
  verifyOnRestore: true,
  /** pg_dumpall --globals-only beside every set, without the roles' password hashes. */
  globals: true,
  globalsWithPasswords: false,
  /** Applies only when no retention key is set anywhere for the project. */
  retentionDays: 30,
} as const;

export { CONTAINER_PATTERN };
export const CONTAINER_WHAT = 'a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)';
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ParseContext {
  r: Reader;
  /** The config file's directory: relative paths resolve against it, as docker-compose does. */
  baseDir: string;
}

type Parse = (c: ParseContext, node: YNode, path: string, s: Settings) => void;

export const RETENTION_KEYS: Readonly<Record<string, keyof RetentionPolicy>> = {
  retention_days: 'days',
  keep_last: 'last',
  keep_daily: 'daily',
  keep_weekly: 'weekly',
  keep_monthly: 'monthly',
  keep_yearly: 'yearly',
  keep_pre_deploy: 'preDeploy',
};

/** Keys that belong in a project's database: block (and in defaults:). */
export const DATABASE_SETTINGS: Readonly<Record<string, Parse>> = {
  runtime: ({ r }, n, p, s) => (s.runtime = r.oneOf(n, p, ['auto', 'docker', 'podman'] as const)),
  backup_dir: (c, n, p, s) => (s.backupDir = filePath(c, n, p, 'a directory path')),
  format: ({ r }, n, p, s) => (s.format = r.oneOf(n, p, ['custom', 'plain'] as const)),
  compression: ({ r }, n, p, s) => (s.compression = r.int(n, p, 0, 9)),
  password_env: ({ r }, n, p, s) => (s.passwordEnv = r.string(n, p, 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)', ENV_VAR)),
  password_file: (c, n, p, s) => (s.passwordFile = filePath(c, n, p, 'a file path')),
  no_owner: ({ r }, n, p, s) => (s.noOwner = r.bool(n, p)),
  app_containers: ({ r }, n, p, s) => (s.appContainers = appContainers(r, n, p)),
  timeout: ({ r }, n, p, s) => (s.timeoutSeconds = timeout(r, n, p)),
  row_counts: ({ r }, n, p, s) => (s.rowCounts = r.oneOf(n, p, ['exact', 'estimate', 'off'] as const)),
  notify: ({ r }, n, p, s) => (s.notify = notify(r, n, p)),
  globals: ({ r }, n, p, s) => (s.globals = r.bool(n, p)),
  globals_with_passwords: ({ r }, n, p, s) => (s.globalsWithPasswords = r.bool(n, p)),
  offsite: (c, n, p, s) => (s.offsite = readOffsite(c.r, n, p, { filePath: (fn, fp, what) => filePath(c, fn, fp, what), retentionKeys: RETENTION_KEYS })),
  encryption: (c, n, p, s) => (s.encryption = encryption(c, n, p)),
};

/** Keys that belong in a project's database.backup: block (and in defaults:). */
export const POLICY_SETTINGS: Readonly<Record<string, Parse>> = {
  enabled: ({ r }, n, p, s) => (s.enabled = r.bool(n, p)),
  verify_on_restore: ({ r }, n, p, s) => (s.verifyOnRestore = r.bool(n, p)),
  ...Object.fromEntries(
    Object.entries(RETENTION_KEYS).map(([key, field]): [string, Parse] => [
      key,
      ({ r }, n, p, s) => (s.retention[field] = r.int(n, p, 1)),
    ]),
  ),
};

/** A path from the file, made absolute against the config file's directory. */
export function filePath({ r, baseDir }: ParseContext, node: YNode, p: string, what: string): string | undefined {
  const v = r.string(node, p, what);
  if (v === undefined) return undefined;
  if (v.includes('\0')) return r.issue(node, p, `expected ${what}, got a value with a NUL byte`);
  // The shell expands ~, YAML does not: "~/x" would quietly become <config dir>/~/x.
  if (v.startsWith('~')) return r.issue(node, p, `expected ${what}, got ${JSON.stringify(v)} ("~" is not expanded; write the full path)`);
  return path.resolve(baseDir, v);
}

const containerCheck = (r: Reader) => (s: string, n: YNode, p: string) =>
  CONTAINER_PATTERN.test(s) || (r.expected(n, p, CONTAINER_WHAT), false);

function appContainers(r: Reader, node: YNode, p: string): AppContainers | undefined {
  const check = containerCheck(r);
  // An empty list is meaningful: it overrides a default list with "stop nothing".
  if (!isMap(node)) {
    const what = 'a list of container names, or a map of environment to list';
    const all = r.stringList(node, p, { what, itemWhat: CONTAINER_WHAT, check, allowEmpty: true });
    return all && { all };
  }
  const byEnv = new Map<string, { list: string[]; node: YNode }>();
  for (const { key, keyNode, value } of r.entries(node, p)) {
    const opts = { what: 'a list of container names', itemWhat: CONTAINER_WHAT, check, single: true, allowEmpty: true };
    const list = r.stringList(value, join(p, key), opts);
    if (list) byEnv.set(key, { list, node: keyNode });
  }
  return { byEnv };
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** Seconds as a whole number, or "90s" / "30m" / "2h". */
export function timeout(r: Reader, node: YNode, p: string): number | undefined {
  const v = isScalar(node) ? node.value : undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  const m = typeof v === 'string' ? /^(\d+)\s*([smh]?)$/.exec(v.trim()) : null;
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[(m[2] || 's') as keyof typeof UNIT_SECONDS] : 0;
  if (seconds >= 1 && Number.isSafeInteger(seconds)) return seconds;
  return r.expected(node, p, 'seconds as a whole number >= 1, or a duration like "90s", "30m", "2h"');
}

function notify(r: Reader, node: YNode, p: string): NotifyConfig | undefined {
  const map = r.map(node, p, 'a mapping with webhook_url and/or command');
  if (!map) return undefined;
  const before = r.issues.length;
  const out: NotifyConfig = { on: ['failure'] };
  for (const { key, value } of r.entries(map, p, ['webhook_url', 'command', 'on'])) {
    const kp = join(p, key);
    if (key === 'webhook_url') out.webhookUrl = r.string(value, kp, 'an http(s) URL', /^https?:\/\/[^\s/]+\S*$/);
    if (key === 'command') out.command = r.string(value, kp, 'a command line');
    if (key === 'on') out.on = notifyOn(r, value, kp) ?? out.on;
  }
  // Only when nothing else was wrong: a bad URL already explains the missing one.
  if (!out.webhookUrl && !out.command && r.issues.length === before) {
    r.issue(node, p, 'expected webhook_url or command (or both), got neither');
  }
  return stripUndefined(out);
}

/** recipients (age1…, at least one) and an optional identity_file, resolved like every path. */
function encryption(c: ParseContext, node: YNode, p: string): EncryptionConfig | undefined {
  const { r } = c;
  const map = r.map(node, p, 'a mapping with recipients (a list of age1… public keys) and optionally identity_file');
  if (!map) return undefined;
  let recipients: string[] | undefined;
  let identityFile: string | undefined;
  let sawRecipients = false;
  for (const { key, value } of r.entries(map, p, ['recipients', 'identity_file'])) {
    const kp = join(p, key);
    if (key === 'recipients') {
      sawRecipients = true;
      const check = (v: string, n: YNode, ip: string) => {
        const problem = recipientProblem(v);
        return !problem || (r.issue(n, ip, `expected an age recipient (age1…, as age-keygen -y prints it), got ${JSON.stringify(v)}, which ${problem}`), false);
      };
      recipients = r.stringList(value, kp, { what: 'a list of age recipients (age1…), at least one', itemWhat: 'an age recipient (age1…)', check, single: true });
    }
    if (key === 'identity_file') identityFile = filePath(c, value, kp, 'a file path (the age identity, for restore and verify)');
  }
  // Encryption asked for with nobody to encrypt to would store backups nobody can read, or none.
  if (!sawRecipients) return r.issue(node, join(p, 'recipients'), 'expected a list of age recipients (age1…), at least one, got nothing');
  if (!recipients) return undefined;
  return { recipients, ...(identityFile !== undefined ? { identityFile } : {}) };
}

function notifyOn(r: Reader, node: YNode, p: string): NotifyConfig['on'] | undefined {
  const check = (s: string, n: YNode, ip: string) => s === 'failure' || s === 'success' || (r.expected(n, ip, 'failure or success'), false);
  return r.stringList(node, p, { what: 'a list of failure and/or success', check, single: true }) as NotifyConfig['on'] | undefined;
}

function stripUndefined(n: NotifyConfig): NotifyConfig {
  return {
    ...(n.webhookUrl !== undefined ? { webhookUrl: n.webhookUrl } : {}),
    ...(n.command !== undefined ? { command: n.command } : {}),
    on: n.on,
  };
}
