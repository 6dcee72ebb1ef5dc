// The plain warning before a restore, and the typed "yes". Without a TTY and without --yes the
// restore is refused at once: cron has no one to answer, and a hung job is worse than an error.
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import readline from 'node:readline/promises';
import { InterruptedError, UsageError } from '../errors.ts';
import { parseTimestamp } from '../names.ts';
import type { RestoreItem } from './plan.ts';

export interface WarningInput {
  container: string;
  items: RestoreItem[];
  inPlace: boolean;
  safetyBackup: boolean;
  now: Date;
}

export function restoreWarning(w: WarningInput): string {
  const lines = [`About to restore into container ${w.container}:`];
  for (const i of w.items) {
    const ts = i.source.stored?.manifest.timestamp;
    const taken = ts ? parseTimestamp(ts) : undefined;
    const when = taken ? `backup ${ts} (${taken.toISOString()}, ${formatDistanceStrict(taken, w.now)} old)` : `file ${i.source.path}`;
    lines.push(`  database ${i.live} <- ${when}`);
  }
  lines.push(
    w.inPlace
      ? '  --in-place: the live database(s) will be DROPPED first and rebuilt from the backup; if that fails, the safety backup is restored.'
      : '  The live database(s) stay untouched until a verified copy is ready; then they are swapped, and the old ones kept.',
  );
  lines.push(w.safetyBackup ? '  A safety backup of the current state is taken first.' : '  No safety backup will be taken (--no-safety-backup).');
  return lines.join('\n');
}

/** Checked before anything else is touched, so cron gets its answer (exit 2) at once. */
export function requireConfirmable(yes: boolean): void {
  if (!yes && !process.stdin.isTTY) {
    throw new UsageError('refusing to restore without confirmation: no terminal to ask on', 'pass YES=1 (make) or --yes (script) to confirm in automation');
  }
}

/**
 * Asks for a typed "yes". Ctrl-C (at the prompt or as a signal) is an interruption, exit 130, as
 * everywhere else; Ctrl-D (end of input) is an answer that is not "yes", exit 2, like typing "no".
 */
export async function confirmRestore(warning: string, yes: boolean, write: (s: string) => void, signal?: AbortSignal): Promise<void> {
  write(warning);
  if (yes) return;
  requireConfirmable(yes);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  let interrupted = () => {};
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      interrupted = () => reject(signal?.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT'));
      // On a TTY readline reads Ctrl-C itself (raw mode), so the process never sees the signal.
      rl.on('SIGINT', interrupted);
      rl.on('close', () => reject(new UsageError('restore cancelled: no answer (end of input)')));
      signal?.addEventListener('abort', interrupted, { once: true });
      rl.question('Type yes to continue: ').then(resolve, reject);
    });
    if (answer.trim() !== 'yes') throw new UsageError('restore cancelled: the answer was not "yes"');
  } finally {
    signal?.removeEventListener('abort', interrupted);
    rl.removeAllListeners('close');
    rl.close();
  }
}
