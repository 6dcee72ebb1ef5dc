// The environment an exec'd PostgreSQL client gets. A password, where one is needed, travels
// only here: never in argv (visible in ps), never in logs or manifests.
import fs from 'node:fs/promises';
import type { ProjectConfig } from '../config/types.ts';
import { PgkeepError } from '../errors.ts';

export async function connectionEnv(project: ProjectConfig, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const result: Record<string, string> = { PGAPPNAME: 'pgkeep' };
  if (project.passwordEnv) {
    const value = env[project.passwordEnv];
    if (value === undefined) {
      throw new PgkeepError(
        `${project.name}: password_env names ${project.passwordEnv}, but that variable is not set`,
        `export ${project.passwordEnv} before running pgkeep, or remove password_env to use the container's local socket`,
      );
    }
    result.PGPASSWORD = value;
  } else if (project.passwordFile) {
    const text = await fs.readFile(project.passwordFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new PgkeepError(`${project.name}: cannot read password_file ${project.passwordFile}: ${err.code ?? err.message}`);
    });
    result.PGPASSWORD = text.replace(/\r?\n$/, '');
  }
  return result;
}
