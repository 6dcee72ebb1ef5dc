// The roles file of a set: globals_<ts>.sql beside the set's backups, with any extension an
// encrypting stage adds after .sql (".age"). Pure.
import { parseTimestamp } from '../names.ts';

export const GLOBALS_BASE_EXT = '.sql';

export function globalsFileName(timestamp: string, extraExt = ''): string {
  return `globals_${timestamp}${GLOBALS_BASE_EXT}${extraExt}`;
}

/** The timestamp of a roles file name pgkeep would give, else undefined (its manifest is not one). */
export function parseGlobalsFileName(name: string): { timestamp: string; extraExt: string } | undefined {
  const m = /^globals_(\d{8}_\d{6})\.sql((?:\.age)?)$/.exec(name);
  if (!m || !parseTimestamp(m[1]!)) return undefined;
  return { timestamp: m[1]!, extraExt: m[2]! };
}

/** Whether a directory entry is a roles file or its manifest: list-backups shows these, never flags them. */
export function isGlobalsEntry(name: string): boolean {
  return parseGlobalsFileName(name) !== undefined || (name.endsWith('.json') && parseGlobalsFileName(name.slice(0, -5)) !== undefined);
}
