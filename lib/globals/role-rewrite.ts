// pg_dumpall writes each role as `CREATE ROLE name;` then `ALTER ROLE name WITH …;`, so that the
// ALTER gives a role that already exists the right attributes. Applied with ON_ERROR_STOP, the
// CREATE of an existing role would stop everything; rewritten here, line by line as the stream
// passes, into a DO block that creates the role only when it is missing. Every other error still
// stops the apply. The roles the target must keep as they are (its bootstrap superuser, the user
// pgkeep connects as) are left out entirely: neither created nor altered.
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { isWord, roleName, tokenize, type Token } from './sql-tokens.ts';

export interface RewriteResult {
  /** The line(s) to send instead of `line`; [] drops it. */
  lines: string[];
  /** The role a CREATE ROLE line names. */
  created?: string;
  /** A role's line left out (a kept role). */
  skipped?: string;
}

/** The role a `CREATE ROLE x;` / `ALTER ROLE x …` line is about, and which of the two it is. */
export function roleStatement(line: string): { verb: 'create' | 'alter'; role: string; bare: boolean } | undefined {
  if (!/^(CREATE|ALTER) ROLE /.test(line)) return undefined;
  const t = tokenize(line);
  if (!t || t[2]?.kind !== 'ident') return undefined;
  const bare = t.length === 4 && t[3]!.kind === 'punct' && t[3]!.value === ';';
  return { verb: isWord(t[0], 'CREATE') ? 'create' : 'alter', role: roleName(t[2] as Token), bare };
}

export function rewriteLine(line: string, keep: ReadonlySet<string>): RewriteResult {
  const s = roleStatement(line);
  if (!s) return { lines: [line] };
  if (keep.has(s.role)) return { lines: [`-- pgkeep: role ${JSON.stringify(s.role)} left as it is on this server`], skipped: s.role };
  if (s.verb === 'alter' || !s.bare) return { lines: [line], ...(s.verb === 'create' ? { created: s.role } : {}) };
  const tag = dollarTag(line);
  const literal = `'${s.role.replaceAll("'", "''")}'`;
  return {
    lines: [`DO ${tag} BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${literal}) THEN ${line} END IF; END ${tag};`],
    created: s.role,
  };
}

/** A dollar-quote tag that does not occur in the line, so no role name can end the block. */
function dollarTag(line: string): string {
  for (let n = 0; ; n++) {
    const tag = `$pgkeep${n || ''}$`;
    if (!line.includes(tag)) return tag;
  }
}

/** A Transform that rewrites the stream line by line; `seen` collects the roles' names and the ones left out. */
export function roleRewriter(keep: ReadonlySet<string>, seen: { roles: Set<string>; skipped: Set<string> }): Transform {
  let rest = '';
  // A multi-byte character may straddle two chunks: the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  const emit = (t: Transform, line: string) => {
    const r = rewriteLine(line, keep);
    if (r.created) seen.roles.add(r.created);
    if (r.skipped) seen.skipped.add(r.skipped);
    for (const l of r.lines) t.push(l + '\n');
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop()!;
      for (const l of lines) emit(this, l);
      done();
    },
    flush(done) {
      rest += decoder.end();
      if (rest !== '') emit(this, rest);
      done();
    },
  });
}
