// Config unit tests parse YAML text as if it were /etc/pgkeep/projects.yml, and check the issue
// lines a ConfigError carries: one helper for every config test file, so they judge alike.
import assert from 'node:assert/strict';
import { parseConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/types.ts';
import { ConfigError } from '../../lib/errors.ts';

export const CONFIG_FILE = '/etc/pgkeep/projects.yml';

export const parseText = (text: string): Config => parseConfig(text, CONFIG_FILE, 'projects.yml');

/** The issue lines of the ConfigError that `text` must raise; its message is exactly those lines. */
export function configIssues(text: string): string[] {
  try {
    parseText(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.message, err.issues.map((i) => `${i.file}:${i.line}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    return err.message.split('\n');
  }
  return assert.fail(`expected a ConfigError for:\n${text}`);
}
