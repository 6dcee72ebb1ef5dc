// age encryption's pure parts, one line per case: names, recipients, config, and detection of an
// encrypted file by its header (with Debian's age binary doing the crypto, as in production).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { recipientProblem } from '../../lib/crypto/recipient.ts';
import { backupFileName, fileExtension, latestLinkName, parseBackupFileName } from '../../lib/names.ts';
import { detectArchive, openArchive } from '../../lib/pg/archive.ts';
import { tempDir } from '../support/tempdir.ts';
import { configIssues, parseText } from '../support/config-text.ts';

const R = 'age1mryc446v7f020ufhhsaj8pxfndkmsymus88se6vnjmdd3cptrsvqzc7llq';

test('.age stacks after the dump extension, and parses back', () => {
  const cases: Array<[Parameters<typeof fileExtension>, string]> = [
    [['custom', false], '.dump'],
    [['plain', false], '.sql.gz'],
    [['custom', true], '.dump.age'],
    [['plain', true], '.sql.gz.age'],
  ];
  for (const [args, ext] of cases) assert.equal(fileExtension(...args), ext, args.join());
  for (const ext of ['.dump.age', '.sql.gz.age'] as const) {
    const file = backupFileName('shop', '20261122_020000', ext);
    assert.deepEqual(parseBackupFileName(file), { database: 'shop', timestamp: '20261122_020000', ext });
  }
  assert.equal(latestLinkName('shop', '.dump.age'), 'shop_latest.dump.age');
  for (const foreign of ['shop_20261122_020000.age', 'shop_20261122_020000.dump.age.age', 'shop_20261122_020000.sql.age', 'shop_latest.dump.age', 'shop_20261122_020000.dump.age.json']) {
    assert.equal(parseBackupFileName(foreign), undefined, foreign);
  }
});

test('recipients: age1… Bech32 with a valid checksum, nothing else', () => {
  const cases: Array<[string, RegExp | undefined]> = [
    [R, undefined],
    [R.slice(0, -1) + (R.endsWith('q') ? 'p' : 'q'), /checksum/],
    [R.toUpperCase(), /does not start with "age1"/],
    ['age1' + R.slice(4).toUpperCase(), /lower case/],
    [R.slice(0, 40), /62/],
    ['AGE-SECRET-KEY-1QQQQ', /does not start/],
    ['ssh-ed25519 AAAA', /does not start/],
    [R.slice(0, 10) + 'b' + R.slice(11), /Bech32 does not use/],
  ];
  for (const [s, want] of cases) {
    const got = recipientProblem(s);
    if (want) assert.match(got ?? '', want, s);
    else assert.equal(got, undefined, s);
  }
});

const cfg = (enc: string, where: 'project' | 'defaults' = 'project') =>
  where === 'project'
    ? `p:\n  database:\n    container: c\n    user: u\n    databases: {production: db}\n    encryption: ${enc}\n`
    : `defaults:\n  encryption: ${enc}\np:\n  database: {container: c, user: u, databases: {production: db}}\n`;
const parse = parseText;
const issues = configIssues;

test('encryption config: recipients required, identity_file resolved against the config dir', () => {
  assert.deepEqual(parse(cfg(`{recipients: [${R}], identity_file: keys/id.txt}`)).projects[0]!.encryption, { recipients: [R], identityFile: '/etc/pgkeep/keys/id.txt' });
  assert.deepEqual(parse(cfg(`{recipients: ${R}}`, 'defaults')).projects[0]!.encryption, { recipients: [R] });
  assert.equal(parse(cfg('{recipients: [' + R + ']}').replace(/    encryption.*\n/, '')).projects[0]!.encryption, undefined);
  const bad: Array<[string, RegExp]> = [
    ['{identity_file: /k}', /^projects\.yml:6: p\.database\.encryption\.recipients: expected a list of age recipients \(age1…\), at least one, got nothing$/],
    ['{recipients: []}', /^projects\.yml:6: p\.database\.encryption\.recipients: expected a list of age recipients/],
    ['{recipients: [age1nope]}', /^projects\.yml:6: p\.database\.encryption\.recipients\[0\]: expected an age recipient .*got "age1nope", which is 8 characters long/],
    [`{recipients: [${R}], identty_file: /k}`, /unknown key "identty_file"; did you mean "identity_file"\?/],
    ['yes', /p\.database\.encryption: expected a mapping with recipients/],
    [`{recipients: [${R}, ${R}]}`, /is listed twice/],
  ];
  for (const [enc, want] of bad) assert.match(issues(cfg(enc)).join('\n'), want, enc);
  assert.match(issues(cfg('{identity_file: /k}', 'defaults'))[0]!, /^projects\.yml:2: defaults\.encryption\.recipients: expected/);
});

test('detectArchive: an age file is found by its header and opened with the identity, or refused', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const id = path.join(dir, 'id.txt');
    const other = path.join(dir, 'other.txt');
    execFileSync('age-keygen', ['-o', id], { stdio: 'ignore' });
    execFileSync('age-keygen', ['-o', other], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', id], { encoding: 'utf8' }).trim();
    const sql = Buffer.from('--\n-- PostgreSQL database dump\n--\n' + 'SELECT 1;\n'.repeat(50_000));
    const cases: Array<[string, Buffer, string]> = [
      ['custom', Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(100_000, 7)]), 'custom'],
      ['plain-gz', gzipSync(sql), 'plain-gz'],
      ['plain', sql, 'plain'],
    ];
    for (const [name, plaintext, dump] of cases) {
      const file = path.join(dir, `${name}.age`);
      execFileSync('age', ['-r', recipient, '-o', file], { input: plaintext });
      assert.deepEqual(await detectArchive(file, { identityFile: id }), { dump, age: { identityFile: id } }, name);
      assert.deepEqual(await detectArchive(path.join(dir, name), {}).catch(() => 'missing'), 'missing');
      await fs.writeFile(path.join(dir, name), plaintext);
      assert.deepEqual(await detectArchive(path.join(dir, name)), { dump }, `${name} unencrypted`);
    }
    const file = path.join(dir, 'plain-gz.age');
    const read = async (stream: NodeJS.ReadableStream) => {
      const parts: Buffer[] = [];
      for await (const c of stream) parts.push(c as Buffer);
      return Buffer.concat(parts);
    };
    const kind = await detectArchive(file, { identityFile: id });
    assert.deepEqual(await read(openArchive(file, kind)), sql, 'decrypted and gunzipped in the stream');
    const sha256 = (await import('node:crypto')).createHash('sha256').update(gzipSync(sql)).digest('hex');
    const wrongSum = { ...kind, age: { identityFile: id, plaintext: { size: 1, sha256 } } };
    await assert.rejects(read(openArchive(file, wrongSum)), /decrypted content of .* is not what its manifest recorded/);
    await assert.rejects(detectArchive(file, { identityFile: other }), new RegExp(`cannot decrypt ${file} with the age identity ${other}: no identity matched any of the recipients`));
    await assert.rejects(detectArchive(file, { identityFile: path.join(dir, 'gone.txt') }), /the age identity file \S+gone\.txt \(encryption\.identity_file\) cannot be read \(ENOENT\), so \S+ cannot be decrypted/);
    await assert.rejects(detectArchive(file, {}), /is encrypted with age, and no identity is configured to decrypt it/);
  } finally {
    await cleanup();
  }
});
