// Object keys mirror the local layout; credentials files are read like the aws CLI writes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCredentialsFile } from '../../lib/offsite/credentials.ts';
import { folderKey, manifestKey, objectKey, s3Url, storedNameOfManifestKey } from '../../lib/offsite/keys.ts';

const cfg = (prefix: string) => ({ prefix, bucket: 'b' });

const KEYS: Array<[string, string, string]> = [
  // prefix, stored name, object key
  ['', 'shop_20261122_020000.dump', 'p/prod/shop_20261122_020000.dump'],
  ['pgkeep', 'shop_20261122_020000.dump', 'pgkeep/p/prod/shop_20261122_020000.dump'],
  ['a/b', 'shop_20261122_020000.sql.gz', 'a/b/p/prod/shop_20261122_020000.sql.gz'],
];
for (const [prefix, name, key] of KEYS) {
  test(`key of ${name} with prefix "${prefix}" is ${key}`, () => {
    assert.equal(objectKey(cfg(prefix), 'p', 'prod', name), key);
    assert.equal(manifestKey(cfg(prefix), 'p', 'prod', name), `${key}.json`);
    assert.equal(s3Url(cfg(prefix), key), `s3://b/${key}`);
  });
}

test('folder keys end with one slash', () => assert.equal(folderKey(cfg(''), 'p', 'prod'), 'p/prod/'));

const MANIFEST_KEYS: Array<[string, string | undefined]> = [
  ['x/p/prod/shop_20261122_020000.dump.json', 'shop_20261122_020000.dump'],
  ['x/p/prod/shop_20261122_020000.dump', undefined], // the file, not its manifest
  ['x/p/prod/sub/shop_20261122_020000.dump.json', undefined], // a sub-folder
  ['x/p/prod/notes.json', undefined], // not a name pgkeep gives
  ['x/p/production/shop_20261122_020000.dump.json', undefined], // another env
  ['x/p/prod/shop_20261322_020000.dump.json', undefined], // no such month
];
for (const [key, name] of MANIFEST_KEYS) {
  test(`manifest key ${key} -> ${name}`, () => assert.equal(storedNameOfManifestKey('x/p/prod/', key), name));
}

const INI = `# written by aws configure
[default]
aws_access_key_id = AKDEFAULT
aws_secret_access_key = secret/default+1

[profile backup]
aws_access_key_id=AKBACKUP
aws_secret_access_key=sb
aws_session_token = tok
[broken]
aws_access_key_id = AKONLY
`;
const PROFILES: Array<[string, ReturnType<typeof parseCredentialsFile>]> = [
  ['default', { accessKeyId: 'AKDEFAULT', secretAccessKey: 'secret/default+1' }],
  ['backup', { accessKeyId: 'AKBACKUP', secretAccessKey: 'sb', sessionToken: 'tok' }],
  ['broken', undefined],
  ['missing', undefined],
];
for (const [profile, expected] of PROFILES) {
  test(`credentials file, profile ${profile}`, () => assert.deepEqual(parseCredentialsFile(INI, profile), expected));
}
