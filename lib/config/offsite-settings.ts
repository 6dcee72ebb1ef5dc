// The `offsite:` block (a project's database: block, or flat in defaults:), validated key by key
// like every other setting. The block is taken whole: a project's offsite: replaces the default's.
import type { OffsiteConfig, RetentionPolicy } from './types.ts';
import { join, type Reader, type YNode } from './yaml-reader.ts';

const KEYS = [
  'type', 'endpoint', 'region', 'bucket', 'prefix', 'force_path_style',
  'access_key_env', 'secret_key_env', 'credentials_file', 'profile', 'verify', 'part_size_mb', 'retention',
];
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_WHAT = 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)';
/** S3's bucket naming rule (virtual-host safe): 3-63 of a-z 0-9 . -, starting and ending alphanumeric. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Path segments of safe characters, no leading/trailing slash, no "..". */
const PREFIX = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const MIB = 1024 * 1024;
export const OFFSITE_DEFAULTS = { region: 'us-east-1', verify: 'checksum', partSizeMb: 8, profile: 'default' } as const;

export interface OffsiteParseDeps {
  /** Resolves a path against the config file's directory (settings.ts filePath). */
  filePath: (node: YNode, p: string, what: string) => string | undefined;
  /** retention key -> RetentionPolicy field, shared with local retention. */
  retentionKeys: Readonly<Record<string, keyof RetentionPolicy>>;
}

export function readOffsite(r: Reader, node: YNode, p: string, deps: OffsiteParseDeps): OffsiteConfig | undefined {
  const map = r.map(node, p, 'a mapping with type: s3, bucket and credentials (access_key_env + secret_key_env, or credentials_file)');
  if (!map) return undefined;
  const before = r.issues.length;
  const raw: Record<string, { node: YNode; keyNode: YNode }> = {};
  for (const { key, keyNode, value } of r.entries(map, p, KEYS)) raw[key] = { node: value, keyNode };
  const at = (k: string) => join(p, k);
  const v = <T>(k: string, read: (n: YNode, kp: string) => T | undefined): T | undefined => (raw[k] ? read(raw[k].node, at(k)) : undefined);
  if (!raw.type) r.issue(node, at('type'), 'expected s3, got nothing (the key is missing)');
  else r.oneOf(raw.type.node, at('type'), ['s3'] as const);
  const endpoint = v('endpoint', (n, kp) => r.string(n, kp, 'an http(s) URL, e.g. https://s3.eu-central-1.amazonaws.com', /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/));
  const region = v('region', (n, kp) => r.string(n, kp, 'a region name, e.g. eu-central-1', /^[a-z0-9-]+$/));
  const bucket = raw.bucket ? r.string(raw.bucket.node, at('bucket'), 'an S3 bucket name (3-63 of a-z 0-9 . -)', BUCKET) : r.issue(node, at('bucket'), 'expected an S3 bucket name, got nothing (the key is missing)');
  const prefix = v('prefix', (n, kp) => r.string(n, kp, 'a key prefix like "pgkeep" or "backups/db" (no leading or trailing /, no "..")', PREFIX));
  if (prefix?.split('/').some((s) => s === '.' || s === '..')) r.issue(raw.prefix!.node, at('prefix'), `expected a key prefix without "." or ".." segments, got ${JSON.stringify(prefix)}`);
  const forcePathStyle = v('force_path_style', (n, kp) => r.bool(n, kp));
  const verify = v('verify', (n, kp) => r.oneOf(n, kp, ['checksum', 'readback'] as const));
  const partSizeMb = v('part_size_mb', (n, kp) => r.int(n, kp, 5, 5120));
  const credentials = readCredentials(r, node, p, raw, deps);
  const retention = raw.retention ? readRetention(r, raw.retention.node, at('retention'), deps.retentionKeys) : {};
  if (r.issues.length > before || !bucket || !credentials) return undefined;
  return {
    type: 's3',
    ...(endpoint !== undefined ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
    region: region ?? OFFSITE_DEFAULTS.region,
    bucket,
    prefix: prefix ?? '',
    // A custom endpoint (MinIO, s3rver, Ceph) rarely has wildcard DNS for bucket.host names.
    forcePathStyle: forcePathStyle ?? endpoint !== undefined,
    credentials,
    verify: verify ?? OFFSITE_DEFAULTS.verify,
    partSize: (partSizeMb ?? OFFSITE_DEFAULTS.partSizeMb) * MIB,
    retention: retention ?? {},
  };
}

type Raw = Record<string, { node: YNode; keyNode: YNode }>;

/** One of two ways, never both: a pair of env var names, or an AWS-style credentials file. */
function readCredentials(r: Reader, node: YNode, p: string, raw: Raw, deps: OffsiteParseDeps): OffsiteConfig['credentials'] | undefined {
  const env = raw.access_key_env || raw.secret_key_env;
  if (env && raw.credentials_file) {
    return r.issue(raw.credentials_file.keyNode, join(p, 'credentials_file'), 'expected access_key_env + secret_key_env or credentials_file, got both');
  }
  if (raw.profile && !raw.credentials_file) r.issue(raw.profile.keyNode, join(p, 'profile'), 'profile applies only with credentials_file');
  if (raw.credentials_file) {
    const file = deps.filePath(raw.credentials_file.node, join(p, 'credentials_file'), 'a file path (an AWS-style credentials file)');
    const profile = raw.profile ? r.string(raw.profile.node, join(p, 'profile'), 'a profile (section) name', /^[A-Za-z0-9_.-]+$/) : OFFSITE_DEFAULTS.profile;
    return file && profile ? { file, profile } : undefined;
  }
  if (!env) return r.issue(node, p, 'expected credentials: access_key_env and secret_key_env (names of environment variables), or credentials_file, got neither');
  const name = (k: 'access_key_env' | 'secret_key_env') =>
    raw[k] ? r.string(raw[k].node, join(p, k), ENV_WHAT, ENV_VAR) : r.issue(node, join(p, k), `expected ${ENV_WHAT}, got nothing (the key is missing; access_key_env and secret_key_env go together)`);
  const accessKeyEnv = name('access_key_env');
  const secretKeyEnv = name('secret_key_env');
  return accessKeyEnv && secretKeyEnv ? { accessKeyEnv, secretKeyEnv } : undefined;
}

function readRetention(r: Reader, node: YNode, p: string, keys: OffsiteParseDeps['retentionKeys']): RetentionPolicy | undefined {
  const map = r.map(node, p, `a mapping of retention keys (${Object.keys(keys).join(', ')})`);
  if (!map) return undefined;
  const policy: RetentionPolicy = {};
  for (const { key, value } of r.entries(map, p, Object.keys(keys))) {
    const n = r.int(value, join(p, key), 1);
    if (n !== undefined) policy[keys[key]!] = n;
  }
  return policy;
}
