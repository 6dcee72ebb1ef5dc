// App containers are stopped only around the moment a live database they use is replaced, and
// every one that was stopped is started again, whatever happened in between.
import type { PgAdmin } from '../pg/admin.ts';
import type { Logger } from '../log.ts';
import { PgkeepError } from '../errors.ts';

export async function stopApps(admin: PgAdmin, apps: string[], stopped: string[], log: Logger): Promise<void> {
  for (const app of apps) {
    const info = await admin.runtime.inspect(app).catch(() => undefined);
    if (!info) {
      log.warn(`app container "${app}" does not exist; nothing to stop`);
      continue;
    }
    if (!info.running) continue;
    await admin.runtime.stop(app);
    stopped.push(app);
    log.info(`  stopped app container ${app}`);
  }
}

export async function startApps(admin: PgAdmin, stopped: string[], log: Logger): Promise<void> {
  const failed: string[] = [];
  for (const app of stopped) {
    try {
      await admin.runtime.start(app);
      log.info(`  started app container ${app}`);
    } catch (err) {
      failed.push(app);
      log.error(`could not start app container ${app} again: ${(err as Error).message}; start it by hand: ${admin.runtime.kind} start ${app}`);
    }
  }
  if (failed.length > 0) throw new PgkeepError(`app container(s) ${failed.join(', ')} did not start again`);
}
