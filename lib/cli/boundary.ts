// The one error boundary: every script ends here. It turns signals into an abort (so cleanup in
// the library runs), prints errors as one readable message (stack only with --verbose), and maps
// error classes to the documented exit codes. Only this file calls process.exit.
import { ExitCode, InterruptedError, PgkeepError } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { dockerodeOptions, socketCandidates } from '../runtime/socket.ts';
import { parseArgs, type FlagSpec, type ParsedArgs } from './parse-args.ts';

export interface CommandContext {
  log: Logger;
  /** Aborted with an InterruptedError on SIGINT or SIGTERM. */
  signal: AbortSignal;
}

export interface CommandSpec extends FlagSpec {
  /** Printed for --help, to stdout. */
  help: string;
}

export async function runCommand(
  spec: CommandSpec,
  run: (args: ParsedArgs, ctx: CommandContext) => Promise<number | void>,
  argv: string[] = process.argv.slice(2),
): Promise<never> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const log = createLogger({ verbose });
  const ac = new AbortController();
  // The process stays up until the command settles, even when all it waits on is an unref'd handle
  // (an HTTP agent's pooled socket, AbortSignal.timeout): Node would otherwise exit with 13
  // ("unsettled top-level await") in the middle of the cleanup a signal started.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) {
      log.error(`second ${sig}: exiting without finishing cleanup`);
      process.exit(sig === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm);
    }
    log.warn(`${sig} received: stopping and cleaning up`);
    ac.abort(new InterruptedError(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code: number;
  try {
    const args = parseArgs(argv, spec);
    if (args.help) {
      process.stdout.write(spec.help.trim() + '\n');
      process.exit(ExitCode.ok);
    }
    refuseEngineEnv(process.env);
    code = (await run(args, { log, signal: ac.signal })) ?? ExitCode.ok;
    if (ac.signal.aborted) throw ac.signal.reason;
  } catch (err) {
    code = report(log, ac.signal.aborted ? ac.signal.reason : err, verbose);
  }
  clearInterval(keepAlive);
  process.exit(code);
}

/** A DOCKER_HOST pgkeep cannot use is a usage error (exit 2), found before any engine is touched. */
function refuseEngineEnv(env: NodeJS.ProcessEnv): void {
  const [first] = socketCandidates('auto', env);
  if (first && (first.source === 'DOCKER_HOST' || first.source === 'CONTAINER_HOST')) dockerodeOptions(first.url, env);
}

function report(log: Logger, err: unknown, verbose: boolean): number {
  if (err instanceof PgkeepError) {
    if (!(err instanceof InterruptedError) || err.message) log.error(err.message);
    if (err.hint) log.info(err.hint);
    if (verbose && err.stack) log.debug(err.stack);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  log.error(verbose ? (e.stack ?? e.message) : `${e.message} (run with --verbose for details)`);
  return ExitCode.failure;
}
