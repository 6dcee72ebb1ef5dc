// The optional settings a project's `database:` block and the flat `defaults:` block share, each
// with its parser; the defaults sit next to them. A project's value wins over the default.
import path from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import type { DumpFormat, NotifyConfig, RetentionPolicy, RowCountMode, RuntimeChoice } from './types.ts';
import { join, type Reader, type YNode } from './yaml-reader.ts';

export interface Settings {
  runtime?: RuntimeChoice;
  backupDir?: string;
  format?: DumpFormat;
  compression?: number;
  passwordEnv?: string;
  passwordFile?: string;
  noOwner?: boolean;
  /** A list for every env, or env -> list; checked against the project's envs later. */
  appContainers?: { all: string[] } | { byEnv: Map<string, { list: string[]; node: YNode }> };
  timeoutSeconds?: number;
  rowCounts?: RowCountMode;
  notify?: NotifyConfig;
  enabled?: boolean;
  verifyOnRestore?: boolean;
  retention: RetentionPolicy;
}

export const DEFAULTS = {
  runtime: 'auto' as RuntimeChoice,
  backupDir: './backups',
  format: 'custom' as DumpFormat,
  compression: 6,
  noOwner: false,
  timeoutSeconds: 3600,
  rowCounts: 'exact' as RowCountMode,
  enabled: true,
  verifyOnRestore: true,
  retentionDays: 30,
};

export const CONTAINER_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Parse = (r: Reader, node: YNode, p: string, s: Settings, baseDir: string) => void;

const RETENTION: Record<string, keyof RetentionPolicy> = {
  retention_days: 'days', keep_last: 'last', keep_daily: 'daily', keep_weekly: 'weekly',
  keep_monthly: 'monthly', keep_yearly: 'yearly', keep_pre_deploy: 'preDeploy',
};

/** Keys that belong in database: (and defaults:). */
export const DATABASE_SETTINGS: Record<string, Parse> = {
  runtime: (r, n, p, s) => void (s.runtime = r.oneOf(n, p, ['auto', 'docker', 'podman'] as const)),
  backup_dir: (r, n, p, s, base) => void (s.backupDir = resolve(base, r.string(n, p, undefined, 'a directory path'))),
  format: (r, n, p, s) => void (s.format = r.oneOf(n, p, ['custom', 'plain'] as const)),
  compression: (r, n, p, s) => void (s.compression = r.int(n, p, 0, 9)),
  password_env: (r, n, p, s) => void (s.passwordEnv = r.string(n, p, ENV_VAR, 'an environment variable name')),
  password_file: (r, n, p, s, base) => void (s.passwordFile = resolve(base, r.string(n, p, undefined, 'a file path'))),
  no_owner: (r, n, p, s) => void (s.noOwner = r.bool(n, p)),
  app_containers: (r, n, p, s) => void (s.appContainers = appContainers(r, n, p)),
  timeout: (r, n, p, s) => void (s.timeoutSeconds = timeout(r, n, p)),
  row_counts: (r, n, p, s) => void (s.rowCounts = r.oneOf(n, p, ['exact', 'estimate', 'off'] as const)),
  notify: (r, n, p, s) => void (s.notify = notify(r, n, p)),
};

/** Keys that belong in database.backup: (and defaults:). */
export const POLICY_SETTINGS: Record<string, Parse> = {
  enabled: (r, n, p, s) => void (s.enabled = r.bool(n, p)),
  verify_on_restore: (r, n, p, s) => void (s.verifyOnRestore = r.bool(n, p)),
  ...Object.fromEntries(
    Object.entries(RETENTION).map(([key, field]): [string, Parse] => [key, (r, n, p, s) => void (s.retention[field] = r.int(n, p, 1))]),
  ),
};

function resolve(base: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : path.resolve(base, value);
}

const isContainer = (r: Reader) => (s: string, n: YNode, p: string) =>
  CONTAINER_PATTERN.test(s) || (r.expected(n, p, 'a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)'), false);

function appContainers(r: Reader, node: YNode, p: string): Settings['appContainers'] {
  if (!isMap(node)) {
    const all = r.stringList(node, p, isContainer(r));
    return all && { all };
  }
  const byEnv = new Map<string, { list: string[]; node: YNode }>();
  for (const { key, keyNode, value } of r.entries(node, p)) {
    const list = isSeq(value) && value.items.length === 0 ? [] : r.stringList(value, join(p, key), isContainer(r), true);
    if (list) byEnv.set(key, { list, node: keyNode });
  }
  return { byEnv };
}

function timeout(r: Reader, node: YNode, p: string): number | undefined {
  const v = isScalar(node) ? node.value : undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  const m = typeof v === 'string' ? /^(\d+)\s*(s|m|h)$/.exec(v.trim()) : null;
  if (m && Number(m[1]) >= 1) return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
  return r.expected(node, p, 'seconds as a whole number >= 1, or a duration like "90s", "30m", "2h"');
}

function notify(r: Reader, node: YNode, p: string): NotifyConfig | undefined {
  const map = r.map(node, p);
  if (!map) return undefined;
  const out: NotifyConfig = { on: ['failure'] };
  for (const { key, value } of r.entries(map, p, ['webhook_url', 'command', 'on'])) {
    const kp = join(p, key);
    if (key === 'webhook_url') out.webhookUrl = r.string(value, kp, /^https?:\/\/\S+$/, 'an http(s) URL');
    if (key === 'command') out.command = r.string(value, kp, undefined, 'a command line');
    if (key === 'on') {
      const on = r.stringList(value, kp, (s, n, ip) => s === 'failure' || s === 'success' || (r.expected(n, ip, 'failure or success'), false));
      if (on) out.on = on as NotifyConfig['on'];
    }
  }
  if (!out.webhookUrl && !out.command) r.issue(node, p, 'expected webhook_url or command (or both)');
  return out;
}
