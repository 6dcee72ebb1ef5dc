// The sets' roles files in the bucket (globals_<ts>.sql[.age] and its manifest copy), found and
// checked as the dumps are: a name pgkeep would give, a roles manifest naming this project/env
// and file, the stored object beside it. Anything else is never returned, so never pruned.
import type { GlobalsManifest } from '../globals/globals-manifest.ts';
import { parseGlobalsFileName } from '../globals/globals-name.ts';
import { manifestName, parseBackupFileName } from '../names.ts';
import type { OffsiteClient } from './client.ts';
import { folderKey, s3Url } from './keys.ts';
import { listKeys, readRemoteManifest } from './remote-list.ts';

export interface RemoteGlobals {
  key: string;
  url: string;
  size: number;
  manifest: GlobalsManifest;
}

export interface RemoteFolder {
  globals: RemoteGlobals[];
  /** Timestamps of every dump object in the folder, manifest or not: a set is there while any is. */
  dumpTimestamps: Set<string>;
}

export async function listRemoteGlobals(c: OffsiteClient, project: string, env: string, signal?: AbortSignal): Promise<RemoteFolder> {
  const folder = folderKey(c.cfg, project, env);
  const objects = await listKeys(c, folder, signal);
  const globals: RemoteGlobals[] = [];
  const dumpTimestamps = new Set<string>();
  for (const [key, size] of objects) {
    const name = key.slice(folder.length);
    if (name.includes('/')) continue;
    const dump = parseBackupFileName(name);
    if (dump) dumpTimestamps.add(dump.timestamp);
    const parsed = parseGlobalsFileName(name);
    if (!parsed || !objects.has(manifestName(key))) continue;
    const m = (await readRemoteManifest(c, manifestName(key), signal)) as unknown as GlobalsManifest | undefined;
    if (!m || m.kind !== 'globals' || m.file !== name || m.project !== project || m.env !== env || m.timestamp !== parsed.timestamp) continue;
    globals.push({ key, url: s3Url(c.cfg, key), size, manifest: m });
  }
  globals.sort((a, b) => a.manifest.timestamp.localeCompare(b.manifest.timestamp));
  return { globals, dumpTimestamps };
}
