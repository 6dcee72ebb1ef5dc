// Reading an age-encrypted backup: the header that marks one, the identity it needs, and the
// checks that refuse a wrong or missing identity before anything else is done with the file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Transform, type Duplex } from 'node:stream';
import { PgkeepError } from '../errors.ts';
import { ageDecrypt, ageEncrypt } from './age-filter.ts';

/** Every age file starts with this line (age-encryption.org/v1, the format's spec). */
export const AGE_MAGIC = 'age-encryption.org/v1\n';

export const isAgeHeader = (head: Buffer): boolean => head.subarray(0, AGE_MAGIC.length).toString('latin1') === AGE_MAGIC;

export interface Plaintext {
  size: number;
  sha256: string;
}

/** Refuses an encrypted backup when no identity is configured, or the file it names cannot be read. */
export async function requireIdentity(backup: string, identityFile: string | undefined): Promise<string> {
  if (!identityFile) {
    throw new PgkeepError(
      `${backup} is encrypted with age, and no identity is configured to decrypt it`,
      'set encryption.identity_file in projects.yml (the project\'s database: block or defaults:) to the age identity whose recipient the backup was encrypted to',
    );
  }
  await fs.access(identityFile, fs.constants.R_OK).catch((err: NodeJS.ErrnoException) => {
    throw new PgkeepError(
      `the age identity file ${identityFile} (encryption.identity_file) cannot be read (${err.code ?? err.message}), so ${backup} cannot be decrypted`,
      'put the identity (age-keygen output, AGE-SECRET-KEY-1…) at that path, readable by the user running pgkeep, or fix encryption.identity_file',
    );
  });
  return identityFile;
}

/** Encrypts to the recipients in the stream, on the way to `file`. */
export function encryptStage(recipients: string[], file: string): Duplex {
  return ageEncrypt(recipients, (says) => new PgkeepError(`age could not encrypt ${file}: ${says}`, 'check encryption.recipients in projects.yml (age1… public keys, as age-keygen -y prints them)'));
}

/** Decrypts `backup` in the stream; age's own failure (a wrong identity, say) becomes one clear sentence. */
export function decryptStage(backup: string, identityFile: string): Duplex {
  return ageDecrypt(identityFile, (says) =>
    new PgkeepError(
      `cannot decrypt ${backup} with the age identity ${identityFile}: ${says}`,
      'set encryption.identity_file to the identity matching one of the recipients in the backup\'s manifest (encryption.recipients)',
    ),
  );
}

/**
 * The first `bytes` of the plaintext: proves the identity opens the file (age checks the header's
 * MAC and the first chunk's tag) before any database is touched, and tells what is inside.
 */
export async function decryptPrefix(backup: string, identityFile: string, bytes: number): Promise<Buffer> {
  const raw = createReadStream(backup);
  const age = decryptStage(backup, identityFile);
  raw.on('error', (err) => age.destroy(err));
  raw.pipe(age);
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of age) {
      parts.push(chunk as Buffer);
      got += (chunk as Buffer).length;
      if (got >= bytes) break;
    }
  } finally {
    raw.destroy();
    age.destroy();
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

/** Passes the plaintext through and, at its end, refuses it unless it is the one the manifest recorded. */
export function plaintextCheck(backup: string, expected: Plaintext): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const sha256 = hash.digest('hex');
      if (size === expected.size && sha256 === expected.sha256) return done();
      done(new PgkeepError(
        `the decrypted content of ${backup} is not what its manifest recorded (${size} bytes, sha256 ${sha256.slice(0, 12)}…; the manifest says ${expected.size} bytes, ${expected.sha256.slice(0, 12)}…)`,
        'the file or its manifest was replaced or damaged: restore an older backup',
      ));
    },
  });
}
