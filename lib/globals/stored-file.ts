// Writing one stored file (the roles file today): the producer's bytes pass the storing stages,
// then the hashing sink, into .<name>.partial, fsync, then link into place. The storing stages are
// the one slot where the encrypting stage goes, so size and sha256 always describe the stored
// bytes; the plaintext's own size and sha256 are taken on its way in, to be checked on decryption.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { ProjectConfig } from '../config/types.ts';
import { encryptStage, type Plaintext } from '../crypto/age-file.ts';
import { commitPartial, createPartial, HashingFileSink } from '../files/atomic.ts';
import { ENCRYPTED_SUFFIX, partialName } from '../names.ts';

export type Chain = Array<NodeJS.ReadWriteStream | NodeJS.WritableStream>;

/** The transforms between the producer and the disk, for this project: age when encryption: is set. */
export function storingStages(project: ProjectConfig, file: string): NodeJS.ReadWriteStream[] {
  return project.encryption ? [encryptStage(project.encryption.recipients, file)] : [];
}

/** The extension those stages add to the stored name: "" or ".age". */
export function storedExtension(project: ProjectConfig): string {
  return project.encryption ? ENCRYPTED_SUFFIX : '';
}

export interface StoredFile {
  path: string;
  name: string;
  size: number;
  sha256: string;
  /** Set when a stage changed the bytes (encryption): what went in. */
  plaintext?: Plaintext;
}

/**
 * Runs `produce` with the chain to write into; on success the file gets its final name, on any
 * failure nothing with a final name is left. The name is never reused: commitPartial refuses.
 */
export async function writeStoredFile(dir: string, name: string, project: ProjectConfig, produce: (chain: Chain) => Promise<void>): Promise<StoredFile> {
  const partial = path.join(dir, partialName(name));
  const final = path.join(dir, name);
  const handle = await createPartial(partial);
  const sink = new HashingFileSink(handle, partial);
  const stages = storingStages(project, partial);
  const plain = stages.length > 0 ? plaintextTap() : undefined;
  try {
    await produce([...(plain ? [plain.stage] : []), ...stages, sink]);
    await commitPartial(partial, final);
  } catch (err) {
    for (const s of stages) (s as unknown as { destroy(): void }).destroy();
    sink.destroy();
    await fs.rm(partial, { force: true });
    throw err;
  }
  return { path: final, name, size: sink.bytes, sha256: sink.digest(), ...(plain ? { plaintext: plain.result() } : {}) };
}

/** Passes bytes through, counting and hashing them. */
function plaintextTap(): { stage: Transform; result: () => Plaintext } {
  const hash = createHash('sha256');
  let size = 0;
  const stage = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { stage, result: () => ({ size, sha256: hash.digest('hex') }) };
}
