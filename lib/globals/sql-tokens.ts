// Just enough SQL lexing for the one-line statements pg_dump and pg_dumpall write: quoted
// identifiers ("a ""b"""), string literals, bare words and punctuation. Pure.

export type Token = { kind: 'ident'; value: string; quoted: boolean } | { kind: 'string'; value: string } | { kind: 'punct'; value: string };

const TOKEN = /\s*(?:"((?:[^"]|"")*)"|'((?:[^']|'')*)'|([,;()=])|([^\s,;()="']+))/y;

/** The tokens of one line; undefined when it does not lex (an unterminated quote: a multi-line value). */
export function tokenize(line: string): Token[] | undefined {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < line.length) {
    if (/^\s*$/.test(line.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(line);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push({ kind: 'ident', value: m[1].replaceAll('""', '"'), quoted: true });
    else if (m[2] !== undefined) out.push({ kind: 'string', value: m[2].replaceAll("''", "'") });
    else if (m[3] !== undefined) out.push({ kind: 'punct', value: m[3] });
    else out.push({ kind: 'ident', value: m[4]!, quoted: false });
  }
  return out;
}

/** A bare word equal to `keyword` (case-insensitive); quoted identifiers are never keywords. */
export const isWord = (t: Token | undefined, keyword: string): boolean =>
  t?.kind === 'ident' && !t.quoted && t.value.toUpperCase() === keyword;

/** The role a token names: quoted as written, bare folded to lower case as PostgreSQL does. */
export const roleName = (t: Token): string => (t.kind === 'ident' && !t.quoted ? t.value.toLowerCase() : t.value);
