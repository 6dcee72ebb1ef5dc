// One S3 client per offsite config: credentials loaded here and kept inside the client, retries
// with back-off left to the SDK's standard retry strategy (every request, every part).
import { S3Client } from '@aws-sdk/client-s3';
import type { OffsiteConfig } from '../config/types.ts';
import { loadCredentials, type S3Credentials } from './credentials.ts';

export interface OffsiteClient {
  s3: S3Client;
  cfg: OffsiteConfig;
  /** `bucket "b" at https://endpoint`, for messages: names where, never who. */
  where: string;
  /** The secret values, only so that error text can be scrubbed of them. */
  readonly secrets: readonly string[];
}

/** Attempts per request, the first included; the SDK backs off exponentially with jitter between them. */
export const MAX_ATTEMPTS = 4;

export async function offsiteClient(cfg: OffsiteConfig, env: NodeJS.ProcessEnv = process.env): Promise<OffsiteClient> {
  const credentials: S3Credentials = await loadCredentials(cfg, env);
  // The pinned SDK supports Node 20 (README, "Offsite copies"); its notice that later releases will
  // not would otherwise land in every cron mail.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const s3 = new S3Client({
    region: cfg.region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    forcePathStyle: cfg.forcePathStyle,
    credentials,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    // A dead server must fail the request in bounded time, not hang the nightly run.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
  return { s3, cfg, where: describeWhere(cfg), secrets: [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken ?? ''].filter((s) => s.length >= 4) };
}

export function describeWhere(cfg: Pick<OffsiteConfig, 'bucket' | 'endpoint' | 'region'>): string {
  return `bucket "${cfg.bucket}" at ${cfg.endpoint ?? `AWS S3 (${cfg.region})`}`;
}
