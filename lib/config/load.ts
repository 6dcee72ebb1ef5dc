// Where projects.yml comes from (--config, then $PGKEEP_CONFIG, then ./projects.yml), read and
// parsed with line numbers, then validated. Read, parse, validate: only the read touches disk.
import fs from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, UsageError, type ConfigIssue } from '../errors.ts';
import type { Config } from './types.ts';
import { validateConfig } from './validate.ts';

export interface LoadConfigOptions {
  /** --config PATH (make's CONFIG=). */
  config?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ConfigPath {
  /** Absolute path. */
  file: string;
  /** Where the choice came from, for messages: "--config", "PGKEEP_CONFIG" or "default". */
  source: '--config' | 'PGKEEP_CONFIG' | 'default';
}

export function resolveConfigPath(opts: LoadConfigOptions = {}): ConfigPath {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  if (opts.config) return { file: path.resolve(cwd, opts.config), source: '--config' };
  if (env.PGKEEP_CONFIG) return { file: path.resolve(cwd, env.PGKEEP_CONFIG), source: 'PGKEEP_CONFIG' };
  return { file: path.resolve(cwd, 'projects.yml'), source: 'default' };
}

export async function loadConfig(opts: LoadConfigOptions = {}): Promise<Config> {
  const where = resolveConfigPath(opts);
  const shown = displayPath(where.file, opts.cwd ?? process.cwd());
  const text = await fs.readFile(where.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw unreadable(where, shown, err);
  });
  return parseConfig(text, where.file, shown);
}

/** Parses and validates the text of a config file; pure, so tests need no files. */
export function parseConfig(text: string, file: string, shownAs: string = file): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e): ConfigIssue => syntaxIssue(shownAs, lineCounter, e.pos[0], e.message)));
  }
  return validateConfig(doc, file, { lineCounter, shownAs });
}

function syntaxIssue(file: string, lines: LineCounter, offset: number, message: string): ConfigIssue {
  // yaml appends " at line N, column M:" and a source excerpt; file:line already says where.
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { file, line: lines.linePos(offset).line, path: '', message: `YAML syntax error: ${first}` };
}

const SOURCE_WORDS: Record<ConfigPath['source'], string> = {
  '--config': 'given with --config (CONFIG=)',
  PGKEEP_CONFIG: 'named by PGKEEP_CONFIG',
  default: 'the default, ./projects.yml',
};

function unreadable(where: ConfigPath, shown: string, err: NodeJS.ErrnoException): UsageError {
  const from = SOURCE_WORDS[where.source];
  const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
  const hint =
    where.source === 'default'
      ? 'create projects.yml here (start from the sample projects.yml in the pgkeep repository, see README.md), ' +
        'or pass CONFIG=path/to/projects.yml (--config), or set PGKEEP_CONFIG'
      : 'check the path, or create the file from the sample projects.yml in the pgkeep repository (see README.md)';
  const full = shown === where.file ? shown : `${shown} (${where.file})`;
  return new UsageError(`cannot read the config ${full}, ${from}: ${why}`, hint);
}

/** Relative to the working directory when inside it, as people type it; absolute otherwise. */
function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
