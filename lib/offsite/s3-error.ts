// An S3 failure as one sentence that names the bucket and the endpoint and says what to do. The
// server's own text is used only after every credential value is scrubbed from it.
import { PgkeepError } from '../errors.ts';
import type { OffsiteClient } from './client.ts';

const CREDENTIALS = ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'AuthorizationHeaderMalformed'];
const NETWORK = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'TimeoutError', 'RequestTimeout'];

/** Turns an SDK/network error during `what` (e.g. "uploading x") into a PgkeepError. */
export function s3Error(c: OffsiteClient, what: string, err: unknown): PgkeepError {
  if (err instanceof PgkeepError) return err;
  const e = err as Error & { name?: string; code?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.Code ?? e.code ?? e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = scrub(c, e.message ?? String(err)).split('\n')[0]!.slice(0, 300);
  if (CREDENTIALS.includes(code) || status === 403 && code !== 'AccessDenied') {
    return new PgkeepError(`${what}: ${c.where} refused the credentials (${code})`, 'check the access key and secret the offsite: block names (access_key_env/secret_key_env or credentials_file)');
  }
  if (code === 'AccessDenied') return new PgkeepError(`${what}: ${c.where} denied access (AccessDenied)`, 'grant the key s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on the bucket and prefix');
  if (code === 'NoSuchBucket') return new PgkeepError(`${what}: ${c.where} has no such bucket`, 'create the bucket, or fix offsite.bucket / offsite.endpoint');
  if (NETWORK.includes(code) || NETWORK.some((n) => detail.includes(n))) {
    return new PgkeepError(`${what}: ${c.where} did not answer (${code}: ${detail}), after retries`, 'check that the endpoint is reachable from this host; the next run uploads what is pending (or: make db-offsite-sync)');
  }
  return new PgkeepError(`${what}: ${c.where} failed (${code}${status ? `, HTTP ${status}` : ''}: ${detail})`);
}

export function scrub(c: Pick<OffsiteClient, 'secrets'>, text: string): string {
  let out = text;
  for (const s of c.secrets) out = out.split(s).join('[redacted]');
  return out;
}
