// The normalised, validated shape of projects.yml. Everything downstream reads these types only;
// raw YAML stays `unknown` until lib/config/validate.ts has checked it.

export type RuntimeChoice = 'auto' | 'docker' | 'podman';
export type DumpFormat = 'custom' | 'plain';
/** exact: count(*) in the dump's snapshot; estimate: pg_class.reltuples; off: table list only. */
export type RowCountMode = 'exact' | 'estimate' | 'off';
export type BackupReason = 'manual' | 'scheduled' | 'pre-deploy' | 'pre-restore';

/** Retention keys as set; unset keys are absent. The rules are OR-ed (restic's forget). */
export interface RetentionPolicy {
  days?: number;
  last?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  preDeploy?: number;
}

export interface NotifyConfig {
  webhookUrl?: string;
  command?: string;
  on: Array<'failure' | 'success'>;
}

/**
 * Offsite copies on S3-compatible storage. Credentials are named here (env var names or a file),
 * never held: lib/offsite/credentials.ts reads them when a client is made.
 */
export interface OffsiteConfig {
  type: 's3';
  /** http(s) URL of an S3-compatible service; absent means AWS S3 for `region`. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Key prefix without leading or trailing slash; '' for none. */
  prefix: string;
  forcePathStyle: boolean;
  credentials: { accessKeyEnv: string; secretKeyEnv: string } | { file: string; profile: string };
  /** checksum: the S3 additional checksum when the server returns one, else a read-back. */
  verify: 'checksum' | 'readback';
  /** Multipart part size in bytes (S3's minimum is 5 MiB). */
  partSize: number;
  /** Its own policy; empty means nothing is ever removed offsite. */
  retention: RetentionPolicy;
}

export interface EncryptionConfig {
  /** age X25519 public keys (age1…); at least one. Backup hosts need only these. */
  recipients: string[];
  /** Absolute path of the age identity (secret key) file; needed only to restore or verify. */
  identityFile?: string;
}

export interface ProjectConfig {
  /** Top-level key in projects.yml; matches NAME_PATTERN. */
  name: string;
  /** 1-based line of the project's key, for messages. */
  line?: number;
  container: string;
  user: string;
  /** env name -> database names; a list puts several databases into one set. */
  databases: Record<string, string[]>;
  /** env name -> app containers stopped during a restore swap. */
  appContainers: Record<string, string[]>;
  runtime: RuntimeChoice;
  /** Absolute path, resolved against the config file's directory. */
  backupDir: string;
  format: DumpFormat;
  /** gzip level 0-9. */
  compression: number;
  passwordEnv?: string;
  /** Absolute path of a host file holding the password. */
  passwordFile?: string;
  noOwner: boolean;
  /** Total time bound for one database's backup, in seconds. */
  timeoutSeconds: number;
  rowCounts: RowCountMode;
  notify?: NotifyConfig;
  /** Roles and tablespaces (pg_dumpall --globals-only) saved beside each set. */
  globals: { enabled: boolean; withPasswords: boolean };
  offsite?: OffsiteConfig;
  /** age encryption of every stored file; absent means stored as dumped. */
  encryption?: EncryptionConfig;
  backup: {
    enabled: boolean;
    verifyOnRestore: boolean;
    retention: RetentionPolicy;
  };
}

export interface Config {
  /** Absolute path of the file read. */
  file: string;
  projects: ProjectConfig[];
  metrics?: { textfile: string };
}
