// Hashes the bytes on their way to the bucket: the whole file's sha256 (to compare with the
// manifest) and, part by part, the composite SHA-256 S3 computes for a multipart upload
// (sha256 of the parts' digests, "-N"), so the server's checksum can be compared with ours.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface StreamDigest {
  size: number;
  /** hex, as manifests record it. */
  sha256: string;
  /** base64, as S3 returns ChecksumSHA256 for a single PutObject. */
  fullBase64: string;
  /** base64 + "-N", as S3 returns it for a multipart upload of N parts of `partSize`. */
  composite: string;
}

export class PartHasher extends Transform {
  private readonly full: Hash = createHash('sha256');
  private part: Hash = createHash('sha256');
  private partBytes = 0;
  private readonly partDigests: Buffer[] = [];
  private count = 0;

  constructor(private readonly partSize: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.full.update(chunk);
    this.count += chunk.length;
    // lib-storage cuts the stream into parts of exactly partSize bytes; so do we.
    for (let off = 0; off < chunk.length; ) {
      const take = Math.min(chunk.length - off, this.partSize - this.partBytes);
      this.part.update(chunk.subarray(off, off + take));
      this.partBytes += take;
      off += take;
      if (this.partBytes === this.partSize) this.closePart();
    }
    done(null, chunk);
  }

  private closePart(): void {
    this.partDigests.push(this.part.digest());
    this.part = createHash('sha256');
    this.partBytes = 0;
  }

  /** Valid once the stream has ended. */
  digest(): StreamDigest {
    if (this.partBytes > 0 || this.partDigests.length === 0) this.closePart();
    const full = this.full.digest();
    const composite = createHash('sha256').update(Buffer.concat(this.partDigests)).digest('base64');
    return { size: this.count, sha256: full.toString('hex'), fullBase64: full.toString('base64'), composite: `${composite}-${this.partDigests.length}` };
  }
}
