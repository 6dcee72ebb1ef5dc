// Where projects.yml comes from (--config, then $PGKEEP_CONFIG, then ./projects.yml), read and
// parsed with line numbers, then validated.
import fs from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, UsageError } from '../errors.ts';
import type { Config } from './types.ts';
import { validateConfig } from './validate.ts';

export interface LoadOptions {
  config?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function resolveConfigPath(opts: LoadOptions = {}): { file: string; source: string } {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  if (opts.config) return { file: path.resolve(cwd, opts.config), source: '--config' };
  if (env.PGKEEP_CONFIG) return { file: path.resolve(cwd, env.PGKEEP_CONFIG), source: 'PGKEEP_CONFIG' };
  return { file: path.resolve(cwd, 'projects.yml'), source: 'the default ./projects.yml' };
}

export async function loadConfig(opts: LoadOptions = {}): Promise<Config> {
  const { file, source } = resolveConfigPath(opts);
  const shown = displayPath(file, opts.cwd ?? process.cwd());
  const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(
      `cannot read the config ${shown} (from ${source}): ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      'pass CONFIG=path/to/projects.yml (--config), set PGKEEP_CONFIG, or create projects.yml (see the sample in the repository)',
    );
  });
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ file: shown, line: e.linePos?.[0]?.line, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` })),
    );
  }
  return validateConfig(doc, lines, file, shown);
}

/** Relative to the working directory when inside it, as people type it. */
function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
