// Parsing `pg_restore --list`. Each entry line is printed by pg_restore as
//   <dumpId>; <tableoid> <oid> <desc> <schema> <name> <owner>
// joined by single spaces, where desc is one of a fixed set of descriptors, many of them several
// words long (TABLE DATA, TABLE ATTACH, MATERIALIZED VIEW DATA, TEXT SEARCH CONFIGURATION, ...),
// and schema, name and owner are printed unquoted, so they may contain spaces too ("-" for no
// schema, empty for no owner). The descriptor is therefore matched against the known set, longest
// first; the rest is kept whole and matched against real names by the caller (tocEntryNames).
// Pure: tested with every descriptor pg_dump 15 and 17 write.

/** Every descriptor pg_dump (12 to 17) writes into an archive's table of contents. */
export const TOC_DESCRIPTORS: readonly string[] = [
  'ACCESS METHOD', 'ACL', 'AGGREGATE', 'BLOB', 'BLOB COMMENTS', 'BLOB METADATA', 'BLOBS', 'CAST',
  'CHECK CONSTRAINT', 'COLLATION', 'COMMENT', 'CONSTRAINT', 'CONVERSION', 'DATABASE',
  'DATABASE PROPERTIES', 'DEFAULT', 'DEFAULT ACL', 'DOMAIN', 'ENCODING', 'EVENT TRIGGER', 'EXTENSION',
  'FK CONSTRAINT', 'FOREIGN DATA WRAPPER', 'FOREIGN SERVER', 'FOREIGN TABLE', 'FUNCTION', 'INDEX',
  'INDEX ATTACH', 'LARGE OBJECT', 'LARGE OBJECTS', 'MATERIALIZED VIEW', 'MATERIALIZED VIEW DATA',
  'OPERATOR', 'OPERATOR CLASS', 'OPERATOR FAMILY', 'POLICY', 'PROCEDURAL LANGUAGE', 'PROCEDURE',
  'PUBLICATION', 'PUBLICATION TABLE', 'PUBLICATION TABLES IN SCHEMA', 'ROW SECURITY', 'RULE', 'SCHEMA',
  'SEARCHPATH', 'SECURITY LABEL', 'SEQUENCE', 'SEQUENCE OWNED BY', 'SEQUENCE SET', 'SERVER',
  'SHELL TYPE', 'STATISTICS', 'STDSTRINGS', 'SUBSCRIPTION', 'SUBSCRIPTION TABLE', 'TABLE',
  'TABLE ATTACH', 'TABLE DATA', 'TEXT SEARCH CONFIGURATION', 'TEXT SEARCH DICTIONARY',
  'TEXT SEARCH PARSER', 'TEXT SEARCH TEMPLATE', 'TRANSFORM', 'TRIGGER', 'TYPE', 'USER MAPPING', 'VIEW',
];

// Longest first, so TABLE DATA is never read as TABLE followed by a schema named DATA.
const BY_LENGTH = [...TOC_DESCRIPTORS].sort((a, b) => b.length - a.length);

export interface TocEntry {
  dumpId: number;
  /** The descriptor, e.g. "TABLE ATTACH". */
  desc: string;
  /** "<schema> <name> <owner>" exactly as printed; split only against known names. */
  rest: string;
  /** The line as pg_restore printed it, for messages. */
  line: string;
}

export interface ParsedToc {
  entries: TocEntry[];
  /** Entry lines whose descriptor is not known: a newer pg_dump than this list covers. */
  unknown: string[];
}

const ENTRY = /^(\d+); \d+ \d+ (.*)$/;

export function parseToc(list: string): ParsedToc {
  const entries: TocEntry[] = [];
  const unknown: string[] = [];
  for (const line of list.split('\n')) {
    const m = ENTRY.exec(line);
    if (!m) continue; // comments (;) and blank lines
    const body = m[2]!;
    const desc = BY_LENGTH.find((d) => body === d || body.startsWith(`${d} `));
    if (desc === undefined) unknown.push(line);
    else entries.push({ dumpId: Number(m[1]), desc, rest: body.slice(desc.length + 1), line });
  }
  return { entries, unknown };
}

/** The entries that create a table (ordinary or partitioned): their data is what a restore must bring back. */
export function tocTableEntries(list: string): TocEntry[] {
  return parseToc(list).entries.filter((e) => e.desc === 'TABLE');
}

export interface QualifiedName {
  schema: string;
  name: string;
}

/**
 * Whether an entry's "<schema> <name> <owner>" names this table. pg_restore turns newlines in
 * names into spaces and prints an empty owner as nothing, so both are allowed for.
 */
export function entryNames(e: TocEntry, t: QualifiedName): boolean {
  const flat = (s: string) => s.replace(/[\r\n]/g, ' ');
  const head = `${flat(t.schema)} ${flat(t.name)}`;
  return e.rest === head || e.rest.startsWith(`${head} `);
}

/** The first table entry no restored table answers to, or undefined when every one was restored. */
export function firstUnrestored(entries: TocEntry[], restored: QualifiedName[]): TocEntry | undefined {
  // Bucketed by schema's first word so a 600-table archive is not matched 600 x 600 times.
  const bySchemaWord = new Map<string, QualifiedName[]>();
  for (const t of restored) {
    const word = t.schema.replace(/[\r\n]/g, ' ').split(' ')[0]!;
    const bucket = bySchemaWord.get(word) ?? [];
    bucket.push(t);
    bySchemaWord.set(word, bucket);
  }
  return entries.find((e) => !(bySchemaWord.get(e.rest.split(' ')[0]!) ?? []).some((t) => entryNames(e, t)));
}
