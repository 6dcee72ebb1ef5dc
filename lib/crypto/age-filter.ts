// Debian's age binary as a stream stage: bytes written in come out encrypted (or decrypted), with
// backpressure both ways, so plaintext never touches the disk and memory stays flat. Chosen over
// the age-encryption npm package by measurement (BENCHMARKS.md, "Encryption with age").
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';
import { PgkeepError } from '../errors.ts';

/** Why the stage failed, from age's stderr ("age: error: …"); `what` says what was being done. */
export type FailureText = (ageSays: string) => PgkeepError;

export const AGE_BINARY = 'age';
const STDERR_CAP = 16 * 1024;

/** Encrypts to every recipient; recipients are public keys, so argv is fine for them. */
export function ageEncrypt(recipients: string[], fail: FailureText): Duplex {
  return new AgeFilter(recipients.flatMap((r) => ['-r', r]), fail);
}

/** Decrypts with the identity file; age reads the file itself, so the secret never passes through us. */
export function ageDecrypt(identityFile: string, fail: FailureText): Duplex {
  return new AgeFilter(['-d', '-i', identityFile], fail);
}

class AgeFilter extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private pendingWrite?: (err?: Error | null) => void;

  constructor(argv: string[], private readonly fail: FailureText) {
    super({ readableHighWaterMark: 1024 * 1024, writableHighWaterMark: 1024 * 1024 });
    this.child = spawn(AGE_BINARY, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const { child } = this;
    child.stdout.on('data', (b: Buffer) => {
      if (!this.push(b)) child.stdout.pause();
    });
    child.stderr.on('data', (b: Buffer) => {
      if (this.stderr.length < STDERR_CAP) this.stderr += b.toString('utf8');
    });
    // age exits early on a wrong identity while we still write: EPIPE here; the exit code explains.
    child.stdin.on('error', () => this.releaseWrite());
    child.stdin.on('drain', () => this.releaseWrite());
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.destroy(
        err.code === 'ENOENT'
          ? new PgkeepError(`the age program is not installed (needed for encryption.recipients / identity_file)`, 'install Debian\'s age package: apt-get install age')
          : err,
      );
    });
    // 'close' comes after stdout has ended, so every byte has been pushed by now.
    child.on('close', (code, signal) => {
      this.releaseWrite();
      if (code === 0) return void this.push(null);
      if (this.destroyed) return;
      const says = this.stderr.split('\n').map((l) => l.replace(/^age: (error: )?/, '').trim()).find((l) => l && !l.startsWith('[')) ?? `exit ${code ?? signal}`;
      this.destroy(this.fail(says));
    });
  }

  private releaseWrite(): void {
    const cb = this.pendingWrite;
    this.pendingWrite = undefined;
    cb?.();
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (!this.child.stdin.writable) return done();
    if (this.child.stdin.write(chunk)) done();
    else this.pendingWrite = done;
  }

  override _final(done: (err?: Error | null) => void): void {
    this.child.stdin.end();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.child.stdin.destroy();
    done(err);
  }
}
