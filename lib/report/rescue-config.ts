// When projects.yml does not validate, a scheduled run still has to tell someone. This reads only
// what it can of the file, leniently: the notify blocks (defaults: and each project's database:)
// and defaults.metrics.textfile. Anything of the wrong shape is ignored, never guessed at.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { NotifyConfig } from '../config/types.ts';

export interface Rescued {
  notify: NotifyConfig[];
  textfile?: string;
}

export async function rescueReporting(file: string): Promise<Rescued> {
  let raw: unknown;
  try {
    raw = parse(await fs.readFile(file, 'utf8'), { uniqueKeys: false });
  } catch {
    return { notify: [] };
  }
  const root = asMap(raw);
  const defaults = asMap(root?.defaults);
  const blocks = [defaults?.notify, ...Object.entries(root ?? {}).filter(([k]) => k !== 'defaults' && k !== 'hosts').map(([, v]) => asMap(asMap(v)?.database)?.notify)];
  const notify = new Map<string, NotifyConfig>();
  for (const b of blocks) {
    const n = readNotify(b);
    if (n) notify.set(JSON.stringify(n), n);
  }
  const textfile = asMap(defaults?.metrics)?.textfile;
  return { notify: [...notify.values()], ...(typeof textfile === 'string' && textfile ? { textfile: path.resolve(path.dirname(file), textfile) } : {}) };
}

function readNotify(v: unknown): NotifyConfig | undefined {
  const m = asMap(v);
  if (!m) return undefined;
  const webhookUrl = typeof m.webhook_url === 'string' && /^https?:\/\/[^\s/]+\S*$/.test(m.webhook_url) ? m.webhook_url : undefined;
  const command = typeof m.command === 'string' && m.command.trim() ? m.command : undefined;
  if (!webhookUrl && !command) return undefined;
  // A config error is a failure: it is sent whatever `on:` says.
  return { ...(webhookUrl ? { webhookUrl } : {}), ...(command ? { command } : {}), on: ['failure'] };
}

const asMap = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
