// Turns pg_restore/psql stderr into one sentence an operator can act on: the object that failed,
// its "Command was:" line, and the flag or step that gets past it.

export interface Explained {
  message: string;
  hint?: string;
}

export function explainRestoreError(stderr: string, tool: 'pg_restore' | 'psql'): Explained {
  const lines = stderr.split('\n');
  const error = lines.find((l) => /\bERROR:/.test(l)) ?? lines.find((l) => /error:/.test(l)) ?? lines.find((l) => l.trim()) ?? '';
  const reason = (/\bERROR:\s+(.*)$/.exec(error)?.[1] ?? error.replace(/^\S+: (error: )?/, '')).trim();
  const toc = lines.map((l) => /from TOC entry \d+; \d+ \d+ (.*)$/.exec(l)?.[1]).find(Boolean);
  const command = lines.find((l) => l.startsWith('Command was:'))?.replace('Command was:', '').trim();
  const parts = [`${tool} failed${toc ? ` on ${toc}` : ''}: ${reason || 'no message'}`];
  if (command) parts.push(`(command was: ${command.length > 200 ? command.slice(0, 200) + '…' : command})`);
  return { message: parts.join(' '), hint: hintFor(reason) };
}

function hintFor(reason: string): string | undefined {
  if (/role .* does not exist/.test(reason)) {
    return 'the dump names a role this server lacks: restore with --no-owner (or set no_owner: true in projects.yml) to skip ownership and privileges, or create the role first';
  }
  if (/generat(ed|ion) (column|expression)|inherit/i.test(reason)) {
    return 'a dump made by an older server\'s pg_dump can break rules a newer server changed (e.g. generated columns in inherited tables, 15 -> 17): take the dump again with the newer pg_dump against the old server, or restore into the old version and upgrade with pg_upgrade';
  }
  if (/permission denied|must be owner|must be superuser/.test(reason)) {
    return 'the configured user lacks a privilege the dump needs: use a superuser, or --no-owner to skip ownership and privileges';
  }
  if (/extension .* is not available|could not open extension control file/.test(reason)) {
    return 'the target server lacks an extension the dump uses: install it in the target container first';
  }
  return undefined;
}
