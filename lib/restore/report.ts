// How a finished restore is told: the way back on stderr, and on stdout one line per database
// saying exactly what is live now.
import type { Logger } from '../log.ts';
import type { RestoreResult } from './restore.ts';

export function reportRestore(r: RestoreResult, log: Logger): void {
  for (const d of r.databases) {
    if (d.kept) {
      log.info(`The previous ${d.live} is kept as ${d.kept}. To drop it:  psql -d postgres -c 'DROP DATABASE "${d.kept}"'`);
      log.info(`To swap back:  ALTER DATABASE "${d.live}" RENAME TO "${d.live}__discarded"; ALTER DATABASE "${d.kept}" RENAME TO "${d.live}";`);
    }
  }
  for (const d of r.databases) {
    const what = d.timestamp ? `backup ${d.timestamp}` : `file ${d.from}`;
    log.result(`live now: ${d.live} in container ${r.container} holds ${what}${d.kept ? ` (previous kept as ${d.kept})` : ''}`);
  }
  for (const app of r.appsNotStarted) {
    log.error(`the restored data is live, but app container ${app} did not start again: start it with:  ${r.engine} start ${app}`);
  }
}
