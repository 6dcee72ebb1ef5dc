// The end-to-end proof that the bucket holds the manifest's bytes. `checksum` trusts the S3
// additional checksum (SHA-256) when the server returns one, compared with the digest of the bytes
// we sent; a server that returns none (s3rver, some gateways) and `readback` read the object back.
import type { OffsiteConfig } from '../config/types.ts';
import { PgkeepError } from '../errors.ts';
import type { OffsiteClient } from './client.ts';
import type { StreamDigest } from './part-hasher.ts';
import { readObject } from './read-object.ts';

export interface Expected {
  sha256: string;
  size: number;
}

/** `returned` is ChecksumSHA256 from the upload's answer, if any. Throws when the copy differs. */
export async function checkCopy(
  c: OffsiteClient,
  key: string,
  sent: StreamDigest,
  expected: Expected,
  returned: string | undefined,
  signal?: AbortSignal,
): Promise<NonNullable<OffsiteConfig['verify']>> {
  const url = `s3://${c.cfg.bucket}/${key}`;
  if (c.cfg.verify === 'checksum' && returned) {
    const ours = /-\d+$/.test(returned) ? sent.composite : sent.fullBase64;
    if (returned !== ours) throw new PgkeepError(`the offsite copy ${url} is not what was sent: ${c.where} reports SHA-256 ${returned}, the upload was ${ours}`, 'run make db-offsite-sync to upload it again');
    return 'checksum';
  }
  const got = await readObject(c, key, undefined, signal);
  if (got.size !== expected.size || got.sha256 !== expected.sha256) {
    throw new PgkeepError(
      `the offsite copy ${url} read back differs from the backup: ${got.size} bytes with sha256 ${got.sha256.slice(0, 12)}…, the manifest says ${expected.size} bytes, ${expected.sha256.slice(0, 12)}…`,
      'run make db-offsite-sync to upload it again; if it repeats, the storage corrupts data',
    );
  }
  return 'readback';
}
