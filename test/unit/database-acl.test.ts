// A database's own privileges, recorded in the manifest, become GRANTs on restore: one line per case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { databaseAclSql } from '../../lib/restore/database-acl.ts';
import type { DatabaseGrant } from '../../lib/pg/queries.ts';

const g = (grantee: string, privilege: string, grantor = 'app', grantable = false): DatabaseGrant => ({ grantee, grantor, privilege, grantable });
const HAVE = new Set(['app', 'readers', 'Ops Team', 'admin']);
const RESET = ['REVOKE ALL ON DATABASE "shop" FROM PUBLIC;', 'REVOKE ALL ON DATABASE "shop" FROM "app";'];

const CASES: Array<[string, DatabaseGrant[], string[], string[]]> = [
  // what, recorded grants, statements after the reset, grantees skipped
  ['all revoked', [], [], []],
  ['PUBLIC keeps TEMPORARY', [g('PUBLIC', 'TEMPORARY')], ['GRANT TEMPORARY ON DATABASE "shop" TO PUBLIC;'], []],
  ['a group may connect', [g('readers', 'CONNECT')], ['GRANT CONNECT ON DATABASE "shop" TO "readers";'], []],
  ['a quoted role', [g('Ops Team', 'CREATE')], ['GRANT CREATE ON DATABASE "shop" TO "Ops Team";'], []],
  ['with grant option', [g('readers', 'CONNECT', 'app', true)], ['GRANT CONNECT ON DATABASE "shop" TO "readers" WITH GRANT OPTION;'], []],
  ['granted by another role', [g('readers', 'CONNECT', 'admin')], ['GRANT CONNECT ON DATABASE "shop" TO "readers" GRANTED BY "admin";'], []],
  ['a grantor that is gone is the owner', [g('readers', 'CONNECT', 'gone')], ['GRANT CONNECT ON DATABASE "shop" TO "readers";'], []],
  ['a grantee that is gone is skipped', [g('gone', 'CONNECT'), g('gone', 'TEMPORARY')], [], ['gone']],
];

for (const [what, acl, grants, skipped] of CASES) {
  test(`database privileges: ${what}`, () => assert.deepEqual(databaseAclSql('shop', 'app', acl, HAVE), { sql: [...RESET, ...grants], skipped }));
}
