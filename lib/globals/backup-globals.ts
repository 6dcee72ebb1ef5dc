// The roles step of a backup run: after the database jobs, one roles file per locked project/env
// that got at least one good database backup (a target whose every dump failed has a container
// problem already reported). A failed roles dump is a failure of the run (exit 3, the database
// backups stay good) under the name "(globals)", which no database can have, so reports and
// notifications say it loudly.
import type { Target } from '../config/select.ts';
import type { Logger } from '../log.ts';
import { connectRuntime } from '../runtime/connect.ts';
import { dumpGlobals, type GlobalsFile } from './dump-globals.ts';

export type { GlobalsFile };

/** The name a failed roles dump is reported under, in place of a database name. */
export const GLOBALS_LABEL = '(globals)';

interface RunState {
  files: Array<{ project: string; env: string }>;
  failures: Array<{ project: string; env: string; database: string; error: Error }>;
  globals: GlobalsFile[];
}

interface Helpers {
  log: Logger;
  signal?: AbortSignal;
  deadline: <T>(seconds: number, what: string, outer: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  logError: (log: Logger, what: string | undefined, error: Error) => void;
}

export async function backupGlobals(locked: Array<{ target: Target; lock: { dir: string } }>, timestamp: string, result: RunState, h: Helpers): Promise<void> {
  for (const { target, lock } of locked) {
    const { project, env } = target;
    if (!project.globals.enabled || h.signal?.aborted) continue;
    if (!result.files.some((f) => f.project === project.name && f.env === env)) continue;
    try {
      const runtime = await connectRuntime(project.runtime);
      h.log.step(`Saving the roles of ${project.name}/${env} from container ${project.container} (pg_dumpall --globals-only)`);
      const file = await h.deadline(project.timeoutSeconds, 'the roles dump (pg_dumpall --globals-only)', h.signal, (signal) =>
        dumpGlobals({ project, env, dir: lock.dir, timestamp }, runtime, h.log, signal),
      );
      result.globals.push(file);
      h.log.info(`  written ${file.path}`);
    } catch (err) {
      if (h.signal?.aborted) return;
      const error = err as Error;
      result.failures.push({ project: project.name, env, database: GLOBALS_LABEL, error });
      h.logError(h.log, `${project.name}/${env}: roles not saved (the database backups are good)`, error);
    }
  }
}
