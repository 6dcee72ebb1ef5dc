// Docker's multiplexed exec stream (Tty: false): frames of an 8-byte header
// [stream, 0, 0, 0, size(uint32 BE)] followed by `size` bytes. We parse headers in place and push
// stdout payload slices on without copying; dockerode's demuxStream into a PassThrough was measured
// at about 2.5x the docker CLI's CPU on a 142 MB dump, in-place parsing at about 1.4x.
import { Transform, type TransformCallback } from 'node:stream';
import { CappedText } from './capped-text.ts';

const STDOUT = 1;
const STDERR = 2;

/** Transform: multiplexed exec stream in, stdout bytes out; stderr kept (capped) in `stderr`. */
export class Demuxer extends Transform {
  readonly stderr: CappedText;
  private readonly header = Buffer.alloc(8);
  private headerFill = 0;
  private remaining = 0;
  private kind = 0;

  constructor(stderrLimit = 64 * 1024, private readonly onStderr?: (chunk: Buffer) => void) {
    super({ readableHighWaterMark: 1024 * 1024 });
    this.stderr = new CappedText(stderrLimit);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    // pg_dump writes in small blocks, so one socket read holds many frames: their stdout payloads
    // go downstream as one chunk, not one each (per-chunk stream overhead dominated otherwise).
    const out: Buffer[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.remaining === 0) {
        const n = Math.min(8 - this.headerFill, chunk.length - off);
        chunk.copy(this.header, this.headerFill, off, off + n);
        this.headerFill += n;
        off += n;
        if (this.headerFill < 8) break;
        this.headerFill = 0;
        this.kind = this.header[0]!;
        this.remaining = this.header.readUInt32BE(4);
        continue;
      }
      const n = Math.min(this.remaining, chunk.length - off);
      this.deliver(chunk.subarray(off, off + n), out);
      off += n;
      this.remaining -= n;
    }
    if (out.length > 0) this.push(out.length === 1 ? out[0] : Buffer.concat(out));
    done();
  }

  private deliver(payload: Buffer, out: Buffer[]): void {
    if (this.kind === STDOUT) out.push(payload);
    else if (this.kind === STDERR) {
      this.stderr.append(payload);
      this.onStderr?.(payload);
    }
  }
}
