// The bucket's credentials, read only when a client is made and held only by the client: never
// put in argv, a log line, a manifest, a notification or a metric. Two sources, one per config:
// a pair of environment variables, or an AWS-style credentials file (the ini format the aws CLI
// writes: [profile] sections with aws_access_key_id and aws_secret_access_key).
import fs from 'node:fs/promises';
import type { OffsiteConfig } from '../config/types.ts';
import { PgkeepError } from '../errors.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export async function loadCredentials(cfg: OffsiteConfig, env: NodeJS.ProcessEnv = process.env): Promise<S3Credentials> {
  const c = cfg.credentials;
  if ('accessKeyEnv' in c) {
    const accessKeyId = env[c.accessKeyEnv];
    const secretAccessKey = env[c.secretKeyEnv];
    const missing = [!accessKeyId && c.accessKeyEnv, !secretAccessKey && c.secretKeyEnv].filter(Boolean);
    if (missing.length > 0) {
      throw new PgkeepError(
        `the credentials for bucket "${cfg.bucket}" are not set: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} empty or unset`,
        'export them in the environment pgkeep runs in (for cron: in the crontab or a file it sources), or use offsite.credentials_file',
      );
    }
    return { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! };
  }
  const text = await fs.readFile(c.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new PgkeepError(`the credentials file ${c.file} for bucket "${cfg.bucket}" cannot be read (${err.code ?? err.message})`, 'check offsite.credentials_file and its permissions');
  });
  const found = parseCredentialsFile(text, c.profile);
  if (!found) {
    throw new PgkeepError(
      `the credentials file ${c.file} has no [${c.profile}] section with aws_access_key_id and aws_secret_access_key`,
      'write it in the aws CLI format: [default], then aws_access_key_id = ... and aws_secret_access_key = ... (offsite.profile picks another section)',
    );
  }
  return found;
}

/** The profile's keys from an ini text, or undefined; pure, so it is tested in a table. */
export function parseCredentialsFile(text: string, profile: string): S3Credentials | undefined {
  let section: string | undefined;
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (head) {
      section = head[1];
      continue;
    }
    const kv = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (kv && section === profile) values[kv[1]!.toLowerCase()] = kv[2]!.trim();
  }
  const accessKeyId = values.aws_access_key_id;
  const secretAccessKey = values.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(values.aws_session_token ? { sessionToken: values.aws_session_token } : {}) };
}
