import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roleRefs } from '../../lib/globals/role-refs.ts';

// [a line as pg_restore --schema-only / pg_dump writes it, the roles it needs]
const CASES: Array<[string, string[]]> = [
  ['ALTER TABLE app.items OWNER TO app_owner;', ['app_owner']],
  ['ALTER SCHEMA app OWNER TO "Ops Team";', ['Ops Team']],
  ['ALTER FUNCTION public."owner to"(integer) OWNER TO "say ""hi""";', ['say "hi"']],
  ['ALTER TABLE ONLY app.items ALTER COLUMN id SET DEFAULT nextval(\'app.items_id_seq\'::regclass);', []],
  ['ALTER TABLE ONLY app.items ADD CONSTRAINT items_pkey PRIMARY KEY (id);', []],
  ['GRANT SELECT ON TABLE app.items TO app_reader;', ['app_reader']],
  ['GRANT SELECT,INSERT ON TABLE app.items TO app_group;', ['app_group']],
  ['GRANT ALL ON SCHEMA app TO app_owner WITH GRANT OPTION;', ['app_owner']],
  ['GRANT USAGE ON SCHEMA public TO PUBLIC;', []],
  ['GRANT SELECT ON TABLE "to".x TO "PUBLIC";', ['PUBLIC']],
  ['GRANT SELECT(name) ON TABLE app.items TO a, "B c";', ['a', 'B c']],
  ['REVOKE ALL ON TABLE app.items FROM app_reader;', ['app_reader']],
  ['REVOKE USAGE ON SCHEMA public FROM PUBLIC;', []],
  ['ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;', ['app_owner', 'app_reader']],
  ['ALTER DEFAULT PRIVILEGES FOR ROLE app_owner REVOKE ALL ON FUNCTIONS FROM PUBLIC;', ['app_owner']],
  ["SET SESSION AUTHORIZATION 'grantor';", ['grantor']],
  ['SET SESSION AUTHORIZATION grantor;', ['grantor']],
  ['GRANT SELECT ON TABLE app.items TO CURRENT_USER;', []],
  ['CREATE TABLE app.items (', []],
  ["    note text DEFAULT 'ALTER x OWNER TO y;'", []],
  ["COMMENT ON TABLE app.items IS 'GRANT x TO y;';", []],
  ['-- Name: items; Type: TABLE; Schema: app; Owner: app_owner', []],
  ["ALTER TABLE x OWNER TO 'unterminated", []],
];

test('roleRefs: owners, grantees, revokees, default-privilege roles and grantors, nothing else', () => {
  for (const [line, roles] of CASES) assert.deepEqual(roleRefs(line), roles, line);
});
