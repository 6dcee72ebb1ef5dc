import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { CappedText } from '../../lib/runtime/capped-text.ts';
import { Demuxer } from '../../lib/runtime/demux.ts';

const frame = (kind: number, payload: string) => {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(8);
  head[0] = kind;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

async function demux(chunks: Buffer[]): Promise<{ out: string; err: string }> {
  const d = new Demuxer();
  let out = '';
  await pipeline(Readable.from(chunks), d, new Writable({ write(c, _e, cb) { out += c.toString(); cb(); } }));
  return { out, err: d.stderr.toString() };
}

test('demultiplexes stdout and stderr however the frames are cut', async () => {
  const stream = Buffer.concat([frame(1, 'hello '), frame(2, 'warn\n'), frame(1, ''), frame(1, 'world'), frame(2, 'bye')]);
  for (const size of [1, 3, 7, 8, 9, 13, stream.length]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
    assert.deepEqual(await demux(chunks), { out: 'hello world', err: 'warn\nbye' }, `chunk size ${size}`);
  }
});

test('capped text keeps the head and the tail and says what it dropped', () => {
  const t = new CappedText(10);
  t.append(Buffer.from('12345'));
  t.append(Buffer.from('abcdefghij'));
  t.append(Buffer.from('XYZ'));
  assert.equal(t.toString(), '12345\n[… 8 bytes omitted …]\nijXYZ');
});
