// Reads one project/env backup directory: manifests, not dumps, so listing stays fast. Everything
// that is not a clean backup is reported as a problem, never hidden.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseBackupFileName } from '../names.ts';
import { parseGlobalsFileName } from '../globals/globals-name.ts';

export type ProblemKind = 'file-without-manifest' | 'manifest-without-file' | 'leftover-temporary-file' | 'dangling-latest' | 'checksum-mismatch' | 'size-mismatch';

export interface Problem {
  kind: ProblemKind;
  path: string;
  detail: string;
}

export interface DirScan {
  /** database -> file name the latest link points at */
  latestLinks: Map<string, string>;
  problems: Problem[];
}

/** Problems among `names` (the directory's entries); `known` holds the backup files with a good manifest. */
export async function scanDir(dir: string, names: string[], known: Set<string>): Promise<DirScan> {
  const present = new Set(names);
  const problems: Problem[] = [];
  const latestLinks = new Map<string, string>();
  for (const name of names) {
    const full = path.join(dir, name);
    if (name.startsWith('.') && name.endsWith('.partial')) {
      problems.push({ kind: 'leftover-temporary-file', path: full, detail: 'a temporary file left by an interrupted run; safe to delete when no pgkeep run is active' });
    } else if (/_latest(\.dump|\.sql\.gz)$/.test(name)) {
      const target = await fs.readlink(full).catch(() => undefined);
      if (target === undefined) continue;
      if (!present.has(target)) problems.push({ kind: 'dangling-latest', path: full, detail: `points at ${target}, which does not exist` });
      else latestLinks.set(name.replace(/_latest(\.dump|\.sql\.gz)$/, ''), target);
    } else if (!known.has(name) && parseBackupFileName(name)) {
      const why = present.has(`${name}.json`) ? 'its manifest does not parse or names another project/env/database' : 'it has no manifest: an unfinished or foreign backup';
      problems.push({ kind: 'file-without-manifest', path: full, detail: why });
    } else if (name.endsWith('.json') && parseBackupFileName(name.slice(0, -5)) && !present.has(name.slice(0, -5))) {
      problems.push({ kind: 'manifest-without-file', path: full, detail: `the backup file ${name.slice(0, -5)} is missing` });
    }
  }
  problems.push(...globalsProblems(dir, names));
  return { latestLinks, problems };
}

/** A roles file (globals_<ts>.sql) and its manifest come in pairs; either one alone is unfinished or damaged. */
function globalsProblems(dir: string, names: string[]): Problem[] {
  const present = new Set(names);
  const out: Problem[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    if (parseGlobalsFileName(name) && !present.has(`${name}.json`)) {
      out.push({ kind: 'file-without-manifest', path: full, detail: 'a roles file without its manifest: unfinished, or not pgkeep\'s' });
    } else if (name.endsWith('.json') && parseGlobalsFileName(name.slice(0, -5)) && !present.has(name.slice(0, -5))) {
      out.push({ kind: 'manifest-without-file', path: full, detail: `the roles file ${name.slice(0, -5)} is missing` });
    }
  }
  return out;
}
