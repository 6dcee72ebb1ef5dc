// The roles a database's schema needs, read from the SQL pg_restore --schema-only (or a plain
// dump) writes: object owners (`ALTER … OWNER TO r;`), grantees and revokees of privileges
// (`GRANT … TO r;`, `REVOKE … FROM r;`), default privileges (`FOR ROLE r`) and grantors
// (`SET SESSION AUTHORIZATION r;`). pg_dump writes each of these on one line, with names quoted
// by fmtId, so a line lexer is enough. Pure: tested with a table.
import { isWord, roleName, tokenize, type Token } from './sql-tokens.ts';

/** Words that stand where a role name goes but are not roles. */
const NOT_ROLES = new Set(['PUBLIC', 'CURRENT_USER', 'SESSION_USER', 'CURRENT_ROLE']);

export function roleRefs(line: string): string[] {
  if (!/^(ALTER|GRANT|REVOKE|SET SESSION AUTHORIZATION) /.test(line)) return [];
  const t = tokenize(line);
  if (!t) return [];
  const out: string[] = [];
  if (isWord(t[0], 'SET')) {
    const r = t[3];
    if (r && (r.kind === 'ident' || r.kind === 'string')) out.push(r.kind === 'string' ? r.value : roleName(r));
    return out;
  }
  if (isWord(t[0], 'ALTER')) {
    const owner = lastIndex(t, (x, i) => isWord(x, 'OWNER') && isWord(t[i + 1], 'TO'));
    if (owner >= 0) out.push(...names(t, owner + 2, []));
    const forRole = t.findIndex((x, i) => isWord(x, 'FOR') && (isWord(t[i + 1], 'ROLE') || isWord(t[i + 1], 'USER')));
    if (forRole >= 0) out.push(...names(t, forRole + 2, ['IN', 'GRANT', 'REVOKE']));
  }
  const verb = t.findIndex((x) => isWord(x, 'GRANT') || isWord(x, 'REVOKE'));
  if (verb >= 0) {
    const to = lastIndex(t, (x) => isWord(x, isWord(t[verb], 'GRANT') ? 'TO' : 'FROM'));
    if (to > verb) out.push(...names(t, to + 1, ['WITH', 'GRANTED', 'CASCADE', 'RESTRICT']));
  }
  return [...new Set(out)];
}

/** The comma-separated role names from `start` up to `;` or a stop word. */
function names(t: Token[], start: number, stops: string[]): string[] {
  const out: string[] = [];
  for (let i = start; i < t.length; i++) {
    const x = t[i]!;
    if (x.kind === 'punct') {
      if (x.value === ',') continue;
      break;
    }
    if (x.kind !== 'ident' || stops.some((s) => isWord(x, s))) break;
    if (isWord(x, 'GROUP')) continue; // GRANT … TO GROUP r
    if (!x.quoted && NOT_ROLES.has(x.value.toUpperCase())) continue;
    out.push(roleName(x));
  }
  return out;
}

function lastIndex<T>(a: T[], pred: (x: T, i: number) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (pred(a[i]!, i)) return i;
  return -1;
}
