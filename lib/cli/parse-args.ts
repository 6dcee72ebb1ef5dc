// Typed argv parsing over minimist. Unknown flags are usage errors (exit 2) with a did-you-mean;
// make's variables arrive here already turned into flags (TARGET_DB=x -> --target-db x).
import minimist from 'minimist';
import { suggest } from '../config/suggest.ts';
import { UsageError } from '../errors.ts';
import { containerNameProblem, nameProblem } from '../names.ts';

export interface FlagSpec {
  strings?: readonly string[];
  booleans?: readonly string[];
  /** Switches used as --no-NAME (minimist reads them as NAME: false): --no-owner, --no-safety-backup. */
  negatable?: readonly string[];
}

export type ParsedArgs = { _: string[] } & Record<string, string | boolean | undefined>;

const COMMON_BOOLEANS = ['help', 'verbose'] as const;

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const strings = [...(spec.strings ?? [])];
  const booleans = [...(spec.booleans ?? []), ...COMMON_BOOLEANS];
  const known = new Set([...strings, ...booleans, ...(spec.negatable ?? []).map((n) => `no-${n}`)]);
  const unknown: string[] = [];
  // minimist reads a value-less `--db` as "", which would then count as not given at all.
  for (const [n, arg] of argv.entries()) {
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = argv[n + 1];
    if (name && strings.includes(name) && (next === undefined || next.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value`, 'see --help');
    }
  }
  const parsed = minimist(argv, {
    string: strings,
    boolean: booleans,
    alias: { h: 'help', v: 'verbose' },
    unknown: (arg) => {
      if (!arg.startsWith('-')) return true;
      if (arg.startsWith('--no-') && spec.negatable?.includes(arg.slice(5))) return true;
      unknown.push(arg);
      return false;
    },
  });
  if (unknown.length > 0) {
    const name = unknown[0]!.replace(/^--?/, '').split('=')[0]!;
    const best = suggest(name, [...known]);
    throw new UsageError(`unknown option ${unknown[0]}${best ? `; did you mean --${best}?` : ''}`, 'see --help');
  }
  for (const s of strings) {
    const v = parsed[s];
    if (Array.isArray(v)) throw new UsageError(`--${s} was given more than once`);
    if (v === '') delete parsed[s];
  }
  if (parsed._.length > 0) throw new UsageError(`unexpected argument "${parsed._[0]}"`, 'see --help');
  for (const s of strings) refuseBadName(s, parsed[s]);
  return parsed as ParsedArgs;
}

/**
 * Flags that hold names get the rules names in projects.yml get (DECISIONS.md "Names"): a name from
 * the command line becomes a file name, an SQL identifier or part of an engine API path too.
 */
const NAME_FLAGS: Record<string, { what: string; problem: (name: string) => string | undefined }> = {
  project: { what: 'project name', problem: nameProblem },
  env: { what: 'environment name', problem: nameProblem },
  db: { what: 'database name', problem: nameProblem },
  'target-db': { what: 'database name', problem: nameProblem },
  container: { what: 'container name', problem: containerNameProblem },
};

function refuseBadName(flag: string, value: unknown): void {
  const rule = NAME_FLAGS[flag];
  const problem = rule && typeof value === 'string' ? rule.problem(value) : undefined;
  if (rule && problem) {
    throw new UsageError(`--${flag} ${JSON.stringify(value)} is not a valid ${rule.what}: it ${problem}`, 'names are checked as in projects.yml; see --help');
  }
}

/** A string flag's value, or undefined; minimist leaves absent string flags undefined. */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args[name];
  return typeof v === 'string' ? v : undefined;
}

export function positiveInt(args: ParsedArgs, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} expects a whole number >= 1, got "${v}"`);
  return Number(v);
}

/** --lock-wait SECONDS, else $PGKEEP_LOCK_WAIT, else 0: fail at once with exit 4. */
export function lockWait(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): number {
  const v = str(args, 'lock-wait') ?? env.PGKEEP_LOCK_WAIT;
  if (v === undefined || v === '') return 0;
  if (!/^\d+$/.test(v)) throw new UsageError(`--lock-wait expects a whole number of seconds, got "${v}"`);
  return Number(v);
}

/** --from local|offsite (make FROM=offsite): where BACKUP= is looked up. */
export function fromFlag(args: ParsedArgs): 'local' | 'offsite' | undefined {
  const v = str(args, 'from');
  if (v === undefined || v === 'local' || v === 'offsite') return v;
  throw new UsageError(`--from ${JSON.stringify(v)}: expected offsite (or local, the default)`);
}
