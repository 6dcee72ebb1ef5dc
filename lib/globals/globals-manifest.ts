// The manifest beside a roles file: written after the file, so a roles file without one is
// unfinished. size and sha256 describe the stored bytes (encrypted ones, once encryption applies).
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../files/atomic.ts';
import { manifestName } from '../names.ts';
import { readBackupDir } from '../backup/manifest.ts';
import { MANIFEST_VERSION, type OffsiteRecord } from '../backup/manifest.ts';
import type { Plaintext } from '../crypto/age-file.ts';
import { parseGlobalsFileName } from './globals-name.ts';

export interface GlobalsManifest {
  manifest_version: number;
  kind: 'globals';
  tool: { name: 'pgkeep'; version: string };
  project: string;
  env: string;
  container: string;
  /** The set this roles file belongs to. */
  timestamp: string;
  /** Bare name of the roles file beside this manifest. */
  file: string;
  size: number;
  sha256: string;
  /** True when the file holds the roles' password hashes (globals_with_passwords). */
  with_passwords: boolean;
  server_version: string;
  pg_dumpall_version: string;
  created: string;
  /** Set when the file is age-encrypted (globals_<ts>.sql.age), as for the dumps. */
  encryption?: { method: 'age'; recipients: string[] };
  /** The SQL's own size and sha256, checked when it is decrypted. */
  plaintext?: Plaintext;
  /** The bucket's copy, once uploaded (lib/offsite/upload.ts), as for the dumps. */
  offsite?: OffsiteRecord;
  offsite_error?: { at: string; error: string };
}

export { MANIFEST_VERSION };

export async function writeGlobalsManifest(dir: string, m: GlobalsManifest): Promise<string> {
  const file = path.join(dir, manifestName(m.file));
  await writeFileAtomic(file, JSON.stringify(m, null, 2) + '\n');
  return file;
}

export async function readGlobalsManifest(file: string): Promise<GlobalsManifest> {
  return parseGlobalsManifest(file, await fs.readFile(file, 'utf8'));
}

function parseGlobalsManifest(file: string, text: string): GlobalsManifest {
  const m = JSON.parse(text) as GlobalsManifest;
  if (typeof m !== 'object' || m === null || m.kind !== 'globals' || typeof m.sha256 !== 'string' || typeof m.file !== 'string') {
    throw new Error(`${file} is not a pgkeep roles manifest`);
  }
  return m;
}

export interface StoredGlobals {
  /** Absolute path of the roles file. */
  path: string;
  manifest: GlobalsManifest;
}

/** The roles files of one project/env directory whose manifest parses and names this project/env and file. */
export async function listStoredGlobals(dir: string, project: string, env: string): Promise<StoredGlobals[]> {
  const names = await readBackupDir(dir);
  const present = new Set(names);
  const found: StoredGlobals[] = [];
  for (const name of names) {
    const parsed = parseGlobalsFileName(name);
    if (!parsed || !present.has(manifestName(name))) continue;
    let m: GlobalsManifest;
    try {
      m = parseGlobalsManifest(name, readFileSync(path.join(dir, manifestName(name)), 'utf8'));
    } catch {
      continue;
    }
    if (m.project === project && m.env === env && m.file === name && m.timestamp === parsed.timestamp) found.push({ path: path.join(dir, name), manifest: m });
  }
  return found.sort((a, b) => a.manifest.timestamp.localeCompare(b.manifest.timestamp));
}

/** The roles file of one set in `dir`, whatever project/env: for a backup named by path. */
export async function globalsBeside(dir: string, timestamp: string): Promise<StoredGlobals | undefined> {
  for (const name of await readBackupDir(dir)) {
    if (parseGlobalsFileName(name)?.timestamp !== timestamp) continue;
    const m = await readGlobalsManifest(path.join(dir, manifestName(name))).catch(() => undefined);
    if (m && m.file === name) return { path: path.join(dir, name), manifest: m };
  }
  return undefined;
}
