// pgkeep's public library API.
export { backup, BackupFailed, type BackupOptions, type BackupResult, type DatabaseFailure } from './backup/backup.ts';
export type { BackupFile } from './backup/dump-database.ts';
export type { Manifest } from './backup/manifest.ts';
export { planRetention, type RetentionPlan } from './backup/retention.ts';
export { loadConfig } from './config/load.ts';
export type { Config, ProjectConfig } from './config/types.ts';
export * from './errors.ts';
export { createLogger, type Logger } from './log.ts';
export { restore, type RestoreOptions, type RestoreResult } from './restore/restore.ts';
