// Writing one stored file (the roles file today): the producer's bytes pass the storing stages,
// then the hashing sink, into .<name>.partial, fsync, then link into place. The storing stages are
// the one slot where an encrypting stage goes, so size and sha256 always describe the stored bytes.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfig } from '../config/types.ts';
import { commitPartial, createPartial, HashingFileSink } from '../files/atomic.ts';
import { partialName } from '../names.ts';

export type Chain = Array<NodeJS.ReadWriteStream | NodeJS.WritableStream>;

/** The transforms between the producer and the disk, for this project: none yet (encryption slots in here). */
export function storingStages(_project: ProjectConfig): NodeJS.ReadWriteStream[] {
  return [];
}

/** The extension those stages add to the stored name ("" today, ".age" when encrypting). */
export function storedExtension(_project: ProjectConfig): string {
  return '';
}

export interface StoredFile {
  path: string;
  name: string;
  size: number;
  sha256: string;
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
  try {
    await produce([...storingStages(project), sink]);
    await commitPartial(partial, final);
  } catch (err) {
    sink.destroy();
    await fs.rm(partial, { force: true });
    throw err;
  }
  return { path: final, name, size: sink.bytes, sha256: sink.digest() };
}
