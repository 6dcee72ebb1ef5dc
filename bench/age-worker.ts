// One encryption or decryption of a file, by one implementation; bench/age.ts runs it under
// /usr/bin/time so wall, CPU (the process and its children) and peak RSS are the process tree's.
//   node --import tsx bench/age-worker.ts cli|npm encrypt|decrypt IN OUT RECIPIENT|IDENTITY_FILE
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter } from 'age-encryption';
import { ageDecrypt, ageEncrypt } from '../lib/crypto/age-filter.ts';

const [impl, op, input, output, key] = process.argv.slice(2) as [string, string, string, string, string];
const fail = (says: string) => new Error(says) as never;

if (impl === 'cli') {
  const stage = op === 'encrypt' ? ageEncrypt([key], fail) : ageDecrypt(key, fail);
  await pipeline(createReadStream(input), stage, createWriteStream(output));
} else {
  const web = Readable.toWeb(createReadStream(input)) as unknown as ReadableStream<Uint8Array>;
  let out: ReadableStream<Uint8Array>;
  if (op === 'encrypt') {
    const e = new Encrypter();
    e.addRecipient(key);
    out = await e.encrypt(web);
  } else {
    const d = new Decrypter();
    d.addIdentity(readFileSync(key, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!);
    out = await d.decrypt(web);
  }
  await pipeline(Readable.fromWeb(out as never), createWriteStream(output));
}
