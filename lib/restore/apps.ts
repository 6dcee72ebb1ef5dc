// App containers are stopped only around the moment a live database they use is replaced, and
// every one that was stopped is started again, whatever happened in between.
import type { PgAdmin } from '../pg/admin.ts';
import type { Logger } from '../log.ts';
import { ContainerError } from '../errors.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';

/**
 * Checked before the confirmation prompt, so a misspelt name stops the restore before anything is
 * touched. Only the engine's definite "no such container" means missing; any other inspect error
 * is passed on as it is.
 */
export async function requireApps(runtime: ContainerRuntime, apps: string[], key: string): Promise<void> {
  for (const app of apps) {
    try {
      await runtime.inspect(app);
    } catch (err) {
      if (!(err instanceof ContainerError)) throw err;
      throw new ContainerError(
        `app container "${app}" (${key}) does not exist on ${runtime.kind} (${runtime.socket}); nothing was touched`,
        app,
        `correct or remove "${app}" in ${key} of projects.yml`,
      );
    }
  }
}

export async function stopApps(admin: PgAdmin, apps: string[], stopped: string[], log: Logger): Promise<void> {
  for (const app of apps) {
    const info = await admin.runtime.inspect(app).catch((err: unknown) => {
      if (err instanceof ContainerError) return undefined;
      throw err;
    });
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

/** Starts every stopped app again; returns the ones that would not start (already logged). */
export async function startApps(admin: PgAdmin, stopped: string[], log: Logger): Promise<string[]> {
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
  return failed;
}

