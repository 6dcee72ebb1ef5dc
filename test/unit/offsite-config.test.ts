// The offsite: block: parsed like every other key, each problem as file:line: key.path: expected …
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configIssues, parseText } from '../support/config-text.ts';

const parse = parseText;
const ENV_CREDS = 'access_key_env: S3_KEY, secret_key_env: S3_SECRET';
const project = (offsite: string) => `p: {database: {container: c, user: u, databases: {production: db}, offsite: {${offsite}}}}\n`;

const issues = configIssues;

test('a full offsite block is read, with defaults for what is left out', () => {
  const p = parse(project(`type: s3, endpoint: "https://s3.example.com/", bucket: my-backups, prefix: pg/prod, ${ENV_CREDS}, retention: {keep_monthly: 12}`)).projects[0]!;
  assert.deepEqual(p.offsite, {
    type: 's3', endpoint: 'https://s3.example.com', region: 'us-east-1', bucket: 'my-backups', prefix: 'pg/prod', forcePathStyle: true,
    credentials: { accessKeyEnv: 'S3_KEY', secretKeyEnv: 'S3_SECRET' }, verify: 'checksum', partSize: 8 * 1024 * 1024, retention: { monthly: 12 },
  });
});

test('AWS without an endpoint uses virtual-host style; a credentials file resolves against the config directory', () => {
  const p = parse(project('type: s3, region: eu-central-1, bucket: b-1, credentials_file: ./s3.ini, profile: backup, verify: readback, part_size_mb: 16')).projects[0]!;
  assert.equal(p.offsite?.forcePathStyle, false);
  assert.deepEqual(p.offsite?.credentials, { file: '/etc/pgkeep/s3.ini', profile: 'backup' });
  assert.equal(p.offsite?.partSize, 16 * 1024 * 1024);
  assert.equal(p.offsite?.verify, 'readback');
});

test('a project offsite block replaces the default one whole', () => {
  const c = parse(`defaults: {offsite: {type: s3, bucket: shared, prefix: a, ${ENV_CREDS}}}\n${project(`type: s3, bucket: own, ${ENV_CREDS}`)}q: {database: {container: c, user: u, databases: {production: db}}}\n`);
  assert.equal(c.projects[0]!.offsite?.bucket, 'own');
  assert.equal(c.projects[0]!.offsite?.prefix, '');
  assert.equal(c.projects[1]!.offsite?.bucket, 'shared');
});

const BAD: Array<[string, string]> = [
  [`type: s3, bucket: b-1, ${ENV_CREDS}, buckt: x`, 'projects.yml:1: p.database.offsite.buckt: unknown key "buckt"; did you mean "bucket"?'],
  [`type: gcs, bucket: b-1, ${ENV_CREDS}`, 'projects.yml:1: p.database.offsite.type: expected one of s3, got "gcs"'],
  [`bucket: b-1, ${ENV_CREDS}`, 'projects.yml:1: p.database.offsite.type: expected s3, got nothing (the key is missing)'],
  [`type: s3, ${ENV_CREDS}`, 'projects.yml:1: p.database.offsite.bucket: expected an S3 bucket name, got nothing (the key is missing)'],
  [`type: s3, bucket: My_Bucket, ${ENV_CREDS}`, 'projects.yml:1: p.database.offsite.bucket: expected an S3 bucket name (3-63 of a-z 0-9 . -), got "My_Bucket"'],
  [`type: s3, bucket: b-1, endpoint: s3.example.com, ${ENV_CREDS}`, 'projects.yml:1: p.database.offsite.endpoint: expected an http(s) URL, e.g. https://s3.eu-central-1.amazonaws.com, got "s3.example.com"'],
  [`type: s3, bucket: b-1, prefix: /x/, ${ENV_CREDS}`, 'projects.yml:1: p.database.offsite.prefix: expected a key prefix like "pgkeep" or "backups/db" (no leading or trailing /, no ".."), got "/x/"'],
  [`type: s3, bucket: b-1, prefix: a/../b, ${ENV_CREDS}`, 'projects.yml:1: p.database.offsite.prefix: expected a key prefix without "." or ".." segments, got "a/../b"'],
  ['type: s3, bucket: b-1', 'projects.yml:1: p.database.offsite: expected credentials: access_key_env and secret_key_env (names of environment variables), or credentials_file, got neither'],
  ['type: s3, bucket: b-1, access_key_env: K', 'projects.yml:1: p.database.offsite.secret_key_env: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got nothing (the key is missing; access_key_env and secret_key_env go together)'],
  [`type: s3, bucket: b-1, ${ENV_CREDS}, credentials_file: /x`, 'projects.yml:1: p.database.offsite.credentials_file: expected access_key_env + secret_key_env or credentials_file, got both'],
  ['type: s3, bucket: b-1, access_key_env: "my key", secret_key_env: S', 'projects.yml:1: p.database.offsite.access_key_env: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got "my key"'],
  [`type: s3, bucket: b-1, ${ENV_CREDS}, verify: md5`, 'projects.yml:1: p.database.offsite.verify: expected one of checksum, readback, got "md5"'],
  [`type: s3, bucket: b-1, ${ENV_CREDS}, part_size_mb: 1`, 'projects.yml:1: p.database.offsite.part_size_mb: expected a whole number from 5 to 5120, got 1'],
  [`type: s3, bucket: b-1, ${ENV_CREDS}, retention: {keep_dayly: 3}`, 'projects.yml:1: p.database.offsite.retention.keep_dayly: unknown key "keep_dayly"; did you mean "keep_daily"?'],
  [`type: s3, bucket: b-1, ${ENV_CREDS}, retention: {retention_days: 0}`, 'projects.yml:1: p.database.offsite.retention.retention_days: expected a whole number >= 1, got 0'],
];

for (const [offsite, expected] of BAD) {
  test(`offsite: {${offsite}} -> ${expected.split(': ').slice(1).join(': ')}`, () => assert.deepEqual(issues(project(offsite)), [expected]));
}

test('offsite in the wrong place says where it belongs', () => {
  assert.deepEqual(issues(`p: {database: {container: c, user: u, databases: {production: db}, backup: {offsite: {}}}}\n`), [
    'projects.yml:1: p.database.backup.offsite: "offsite" does not belong here; it belongs one level up, in database:',
  ]);
});
