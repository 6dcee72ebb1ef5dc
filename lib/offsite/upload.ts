// Uploads one stored file and then its manifest: any pgkeep file with a manifest beside it (a
// dump, a globals file). Streaming multipart upload, memory bounded by partSize x QUEUE_SIZE,
// checked end to end against the manifest's sha256, and recorded in the local manifest (atomically).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { OffsiteRecord } from '../backup/manifest.ts';
import { PgkeepError } from '../errors.ts';
import { writeFileAtomic } from '../files/atomic.ts';
import { checkCopy } from './check-copy.ts';
import type { OffsiteClient } from './client.ts';
import { manifestKey, objectKey, s3Url } from './keys.ts';
import { PartHasher } from './part-hasher.ts';
import { s3Error } from './s3-error.ts';

/** Parts in flight at once: with 8 MiB parts, at most about 16 MiB buffered. */
export const QUEUE_SIZE = 2;

export interface UploadInput {
  /** Absolute path of the stored file. */
  file: string;
  /** Its manifest (`<file>.json`): read for sha256/size, rewritten with the offsite record. */
  manifestFile: string;
  project: string;
  env: string;
}

type AnyManifest = { sha256: string; size: number; offsite?: OffsiteRecord; offsite_error?: unknown } & Record<string, unknown>;

export async function uploadStored(c: OffsiteClient, input: UploadInput, signal?: AbortSignal): Promise<OffsiteRecord> {
  const manifest = JSON.parse(await fs.readFile(input.manifestFile, 'utf8')) as AnyManifest;
  const name = path.basename(input.file);
  const key = objectKey(c.cfg, input.project, input.env, name);
  const hasher = new PartHasher(c.cfg.partSize);
  const source = createReadStream(input.file);
  source.on('error', (err) => hasher.destroy(err));
  const upload = new Upload({
    client: c.s3,
    params: { Bucket: c.cfg.bucket, Key: key, Body: source.pipe(hasher), ChecksumAlgorithm: 'SHA256', ContentType: 'application/octet-stream', ContentLength: manifest.size },
    partSize: c.cfg.partSize,
    queueSize: QUEUE_SIZE,
    // A failed multipart upload is aborted, so no orphan parts are billed.
    leavePartsOnError: false,
  });
  const onAbort = () => void upload.abort().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  let out: Awaited<ReturnType<Upload['done']>>;
  try {
    out = await upload.done();
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw s3Error(c, `uploading ${name}`, err);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    source.destroy();
  }
  const sent = hasher.digest();
  if (sent.sha256 !== manifest.sha256 || sent.size !== manifest.size) {
    throw new PgkeepError(`${input.file} no longer matches its manifest (${sent.size} bytes, sha256 ${sent.sha256.slice(0, 12)}…): the offsite copy is not trusted`, `check the file: make db-list-backups CHECK=1`);
  }
  const checkedBy = await checkCopy(c, key, sent, manifest, out.ChecksumSHA256, signal);
  // The manifest copy goes up after the file: in the bucket too, a file without one is unfinished.
  const { offsite: _o, offsite_error: _e, ...copy } = manifest;
  await c.s3
    .send(new PutObjectCommand({ Bucket: c.cfg.bucket, Key: manifestKey(c.cfg, input.project, input.env, name), Body: JSON.stringify(copy, null, 2) + '\n', ContentType: 'application/json' }), { abortSignal: signal })
    .catch((err: unknown) => {
      throw signal?.aborted ? signal.reason : s3Error(c, `uploading the manifest of ${name}`, err);
    });
  const record: OffsiteRecord = { url: s3Url(c.cfg, key), etag: (out.ETag ?? '').replaceAll('"', ''), sha256: sent.sha256, at: new Date().toISOString(), checked_by: checkedBy };
  await writeFileAtomic(input.manifestFile, JSON.stringify({ ...copy, offsite: record }, null, 2) + '\n');
  return record;
}

/** Records a failed upload in the local manifest, so list-backups can say "failed" and why. */
export async function recordUploadFailure(manifestFile: string, error: Error): Promise<void> {
  const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as AnyManifest;
  await writeFileAtomic(manifestFile, JSON.stringify({ ...manifest, offsite_error: { at: new Date().toISOString(), error: error.message } }, null, 2) + '\n');
}
