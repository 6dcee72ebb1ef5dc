// Where a backup lives in the bucket: the local layout mirrored (DECISIONS.md), so a bucket listing
// reads like the backup directory. Pure.
import type { OffsiteConfig } from '../config/types.ts';
import { manifestName, parseBackupFileName } from '../names.ts';

type Where = Pick<OffsiteConfig, 'prefix' | 'bucket'>;

/** `<prefix>/<project>/<env>/`, the folder of one project/env (no prefix: `<project>/<env>/`). */
export function folderKey(cfg: Where, project: string, env: string): string {
  return [cfg.prefix, project, env].filter((s) => s !== '').join('/') + '/';
}

/** The stored file's key: `<prefix>/<project>/<env>/<stored name>`. */
export const objectKey = (cfg: Where, project: string, env: string, storedName: string): string => folderKey(cfg, project, env) + storedName;

/** The manifest copy's key, beside the file: `<stored name>.json`. */
export const manifestKey = (cfg: Where, project: string, env: string, storedName: string): string => manifestName(objectKey(cfg, project, env, storedName));

export const s3Url = (cfg: Where, key: string): string => `s3://${cfg.bucket}/${key}`;

/**
 * The stored name a manifest key of this folder stands for, or undefined for any other key: one
 * in a sub-folder, one pgkeep would not have written, a file that is not a manifest.
 */
export function storedNameOfManifestKey(folder: string, key: string): string | undefined {
  if (!key.startsWith(folder) || !key.endsWith('.json')) return undefined;
  const name = key.slice(folder.length, -'.json'.length);
  if (name.includes('/') || !parseBackupFileName(name)) return undefined;
  return name;
}
