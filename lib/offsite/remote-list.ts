// What the bucket holds for one project/env: the manifest copies pgkeep uploaded, each checked as
// the local ones are (a name pgkeep would give, a manifest that parses and names this
// project/env/database, the stored object beside it). Anything else is never returned, so it can
// never be pruned or restored.
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isOurs, type Manifest } from '../backup/manifest.ts';
import { parseBackupFileName } from '../names.ts';
import type { OffsiteClient } from './client.ts';
import { folderKey, s3Url, storedNameOfManifestKey } from './keys.ts';
import { s3Error } from './s3-error.ts';

export interface RemoteBackup {
  /** Key of the stored file. */
  key: string;
  url: string;
  /** Bytes the bucket holds for the stored file. */
  size: number;
  manifest: Manifest;
}

export async function listRemote(c: OffsiteClient, project: string, env: string, signal?: AbortSignal): Promise<RemoteBackup[]> {
  const folder = folderKey(c.cfg, project, env);
  const objects = await listKeys(c, folder, signal);
  const out: RemoteBackup[] = [];
  for (const [key] of objects) {
    const name = storedNameOfManifestKey(folder, key);
    const size = name === undefined ? undefined : objects.get(folder + name);
    if (name === undefined || size === undefined) continue;
    const manifest = await readRemoteManifest(c, key, signal);
    const database = parseBackupFileName(name)?.database;
    if (!manifest || !database || !isOurs(manifest, name, database, project, env)) continue;
    out.push({ key: folder + name, url: s3Url(c.cfg, folder + name), size, manifest });
  }
  return out.sort((a, b) => a.manifest.timestamp.localeCompare(b.manifest.timestamp));
}

/** key -> size of every object directly under `folder`. */
export async function listKeys(c: OffsiteClient, folder: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const keys = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await c.s3
      .send(new ListObjectsV2Command({ Bucket: c.cfg.bucket, Prefix: folder, ContinuationToken: token }), { abortSignal: signal })
      .catch((err: unknown) => {
        throw s3Error(c, `listing s3://${c.cfg.bucket}/${folder}`, err);
      });
    for (const o of page.Contents ?? []) if (o.Key) keys.set(o.Key, o.Size ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function readRemoteManifest(c: OffsiteClient, key: string, signal?: AbortSignal): Promise<Manifest | undefined> {
  const out = await c.s3.send(new GetObjectCommand({ Bucket: c.cfg.bucket, Key: key }), { abortSignal: signal }).catch((err: unknown) => {
    throw s3Error(c, `reading s3://${c.cfg.bucket}/${key}`, err);
  });
  try {
    const m = JSON.parse((await out.Body?.transformToString('utf8')) ?? '') as Manifest;
    return typeof m === 'object' && m !== null && typeof m.sha256 === 'string' && typeof m.file === 'string' ? m : undefined;
  } catch {
    return undefined; // not a manifest pgkeep wrote: not ours
  }
}
