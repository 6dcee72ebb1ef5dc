// Streams an object out of the bucket into a sink, hashing it on the way: the read-back check
// and the download for a restore share it. Memory stays flat whatever the object's size.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { OffsiteClient } from './client.ts';
import { s3Error } from './s3-error.ts';

export async function readObject(c: OffsiteClient, key: string, sink: Writable | undefined, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const what = `reading s3://${c.cfg.bucket}/${key}`;
  const out = await c.s3.send(new GetObjectCommand({ Bucket: c.cfg.bucket, Key: key }), { abortSignal: signal }).catch((err: unknown) => {
    throw s3Error(c, what, err);
  });
  const hash = createHash('sha256');
  let size = 0;
  const tap = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  };
  const end = sink ?? new Writable({ write: (_c, _e, done) => done() });
  await pipeline(out.Body as Readable, tap, end, { signal }).catch((err: unknown) => {
    if (signal?.aborted) throw signal.reason;
    throw s3Error(c, what, err);
  });
  return { sha256: hash.digest('hex'), size };
}
