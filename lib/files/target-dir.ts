// Where a project/env keeps its backups, its lock and its deployment log: one definition, so every
// command reads and writes the same directory.
import path from 'node:path';
import type { ProjectConfig } from '../config/types.ts';

export function targetDir(project: Pick<ProjectConfig, 'backupDir' | 'name'>, env: string): string {
  return path.join(project.backupDir, project.name, env);
}
