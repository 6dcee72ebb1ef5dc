import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, UsageError } from '../../lib/errors.ts';
import { loadConfig, parseConfig, resolveConfigPath } from '../../lib/config/load.ts';
import type { Config, ProjectConfig } from '../../lib/config/types.ts';
import { selectTargets } from '../../lib/config/select.ts';
import { validateConfig } from '../../lib/config/validate.ts';
import { tempDir } from '../support/tempdir.ts';
import { CONFIG_FILE, configIssues, parseText } from '../support/config-text.ts';

const FILE = CONFIG_FILE;
const parse = parseText;
const only = (text: string): ProjectConfig => parse(text).projects[0]!;
const issues = configIssues;

/** One project in flow style, with extra keys for its database: and backup: blocks. */
const project = (db = '', backup = '', name = 'p') =>
  `${name}: {database: {container: c, user: u, databases: {production: db, staging: [db_a, db_b]}${db ? `, ${db}` : ''}${backup ? `, backup: {${backup}}` : ''}}}\n`;
const withDefaults = (defaults: string, db = '', backup = '') => `defaults: {${defaults}}\n${project(db, backup)}`;

const SEED = `defaults:                # optional, FLAT block every project inherits
  backup_dir: /srv/backups
  runtime: podman
  retention_days: 14
  metrics: {textfile: /var/lib/node_exporter/pgkeep.prom}
filter-ical:
  database:
    type: postgresql
    container: filter-ical-db
    databases:
      production: filter_ical
      staging: [filter_ical_staging, other_db]
    user: filter_ical
    backup:
      enabled: true
      retention_days: 30
      verify_on_restore: true
`;

test('the seed format parses unchanged, to the normalised shape', () => {
  assert.deepEqual(parse(SEED), {
    file: FILE,
    metrics: { textfile: '/var/lib/node_exporter/pgkeep.prom' },
    projects: [
      {
        name: 'filter-ical',
        line: 6,
        container: 'filter-ical-db',
        user: 'filter_ical',
        databases: { production: ['filter_ical'], staging: ['filter_ical_staging', 'other_db'] },
        appContainers: { production: [], staging: [] },
        runtime: 'podman',
        backupDir: '/srv/backups',
        format: 'custom',
        compression: 6,
        noOwner: false,
        timeoutSeconds: 3600,
        rowCounts: 'exact',
        globals: { enabled: true, withPasswords: false },
        backup: { enabled: true, verifyOnRestore: true, retention: { days: 30 } },
      },
    ],
  });
});

test('every optional key, set in a project', () => {
  const p = only(
    project(
      'runtime: docker, backup_dir: /b, format: plain, compression: 0, password_env: PG_PASS, no_owner: true, ' +
        'app_containers: [web, worker], timeout: 90s, row_counts: estimate, notify: {webhook_url: "https://h.example/x", command: "echo hi", on: [failure, success]}, ' +
        'globals: false, globals_with_passwords: true',
      'enabled: false, verify_on_restore: false, keep_last: 3, keep_daily: 7, keep_weekly: 4, keep_monthly: 6, keep_yearly: 2, keep_pre_deploy: 5',
    ),
  );
  assert.deepEqual(p, {
    name: 'p',
    line: 1,
    container: 'c',
    user: 'u',
    databases: { production: ['db'], staging: ['db_a', 'db_b'] },
    appContainers: { production: ['web', 'worker'], staging: ['web', 'worker'] },
    runtime: 'docker',
    backupDir: '/b',
    format: 'plain',
    compression: 0,
    passwordEnv: 'PG_PASS',
    noOwner: true,
    timeoutSeconds: 90,
    rowCounts: 'estimate',
    notify: { webhookUrl: 'https://h.example/x', command: 'echo hi', on: ['failure', 'success'] },
    globals: { enabled: false, withPasswords: true },
    backup: { enabled: false, verifyOnRestore: false, retention: { last: 3, daily: 7, weekly: 4, monthly: 6, yearly: 2, preDeploy: 5 } },
  });
});

test('defaults: inherited, and a project value wins', () => {
  const cases: Array<[string, string, string, string, (p: ProjectConfig) => unknown, unknown]> = [
    ['runtime inherited', 'runtime: podman', '', '', (p) => p.runtime, 'podman'],
    ['runtime overridden', 'runtime: podman', 'runtime: docker', '', (p) => p.runtime, 'docker'],
    ['format and compression inherited', 'format: plain, compression: 9', '', '', (p) => [p.format, p.compression], ['plain', 9]],
    ['no_owner overridden by false', 'no_owner: true', 'no_owner: false', '', (p) => p.noOwner, false],
    ['timeout inherited', 'timeout: 2h', '', '', (p) => p.timeoutSeconds, 7200],
    ['row_counts inherited', 'row_counts: off', '', '', (p) => p.rowCounts, 'off'],
    ['globals off from defaults, passwords from the project', 'globals: false', 'globals_with_passwords: true', '', (p) => p.globals, { enabled: false, withPasswords: true }],
    ['enabled from defaults', 'enabled: false', '', '', (p) => p.backup.enabled, false],
    ['enabled in backup: wins', 'enabled: false', '', 'enabled: true', (p) => p.backup.enabled, true],
    ['verify_on_restore inherited', 'verify_on_restore: false', '', '', (p) => p.backup.verifyOnRestore, false],
    ['notify inherited, on defaults to failure', 'notify: {command: alert}', '', '', (p) => p.notify, { command: 'alert', on: ['failure'] }],
    ['notify replaced whole', 'notify: {command: alert}', 'notify: {webhook_url: "http://x"}', '', (p) => p.notify, { webhookUrl: 'http://x', on: ['failure'] }],
    ['password_env inherited', 'password_env: PGPASS', '', '', (p) => [p.passwordEnv, p.passwordFile], ['PGPASS', undefined]],
    ['a project password_file drops the default password_env', 'password_env: PGPASS', 'password_file: pw', '', (p) => [p.passwordEnv, p.passwordFile], [undefined, '/etc/pgkeep/pw']],
    ['no defaults: built-in defaults', '', '', '', (p) => [p.runtime, p.format, p.compression, p.noOwner, p.timeoutSeconds, p.rowCounts], ['auto', 'custom', 6, false, 3600, 'exact']],
  ];
  for (const [name, defaults, db, backup, pick, expected] of cases) {
    assert.deepEqual(pick(only(withDefaults(defaults, db, backup))), expected, name);
  }
});

test('lists replace, never merge; app_containers normalise to every env', () => {
  const cases: Array<[string, string, string, Record<string, string[]>]> = [
    ['none anywhere', '', '', { production: [], staging: [] }],
    ['a list applies to every env', '', 'app_containers: [web]', { production: ['web'], staging: ['web'] }],
    ['a map applies per env, others get none', '', 'app_containers: {staging: [web-s]}', { production: [], staging: ['web-s'] }],
    ['a map value may be one name', '', 'app_containers: {production: web}', { production: ['web'], staging: [] }],
    ['defaults list inherited', 'app_containers: [a, b]', '', { production: ['a', 'b'], staging: ['a', 'b'] }],
    ['project list replaces defaults list', 'app_containers: [a, b]', 'app_containers: [c]', { production: ['c'], staging: ['c'] }],
    ['an empty project list clears the default', 'app_containers: [a, b]', 'app_containers: []', { production: [], staging: [] }],
    ['project map replaces defaults list', 'app_containers: [a]', 'app_containers: {production: [c]}', { production: ['c'], staging: [] }],
    ['defaults map: envs the project lacks are skipped', 'app_containers: {production: [a], staging: [b]}', '', { production: ['a'], staging: ['b'] }],
  ];
  for (const [name, defaults, db, expected] of cases) {
    assert.deepEqual(only(withDefaults(defaults, db)).appContainers, expected, name);
  }
  const twoProjects = `defaults: {app_containers: {qa: [x]}}\n${project('', '', 'a')}b: {database: {container: c, user: u, databases: {qa: d}}}\n`;
  assert.deepEqual(parse(twoProjects).projects.map((p) => p.appContainers), [{ production: [], staging: [] }, { qa: ['x'] }]);
});

test('retention: 30 days only when no retention key is set at all; set keys combine', () => {
  const cases: Array<[string, string, string, ProjectConfig['backup']['retention']]> = [
    ['nothing set anywhere', '', '', { days: 30 }],
    ['defaults retention_days', 'retention_days: 14', '', { days: 14 }],
    ['project retention_days wins', 'retention_days: 14', 'retention_days: 60', { days: 60 }],
    ['only keep_last: no 30-day default added', '', 'keep_last: 5', { last: 5 }],
    ['only keep_pre_deploy in defaults', 'keep_pre_deploy: 3', '', { preDeploy: 3 }],
    ['defaults and project keys combine', 'keep_daily: 7', 'retention_days: 10', { daily: 7, days: 10 }],
    ['enabled alone is not a retention key', 'enabled: true', 'verify_on_restore: false', { days: 30 }],
  ];
  for (const [name, defaults, backup, expected] of cases) {
    assert.deepEqual(only(withDefaults(defaults || 'runtime: auto', '', backup)).backup.retention, expected, name);
  }
});

test('relative paths resolve against the config file directory', () => {
  const cases: Array<[string, string, (c: Config) => unknown, unknown]> = [
    ['backup_dir default', project(), (c) => c.projects[0]!.backupDir, '/etc/pgkeep/backups'],
    ['backup_dir relative', project('backup_dir: ./b'), (c) => c.projects[0]!.backupDir, '/etc/pgkeep/b'],
    ['backup_dir bare relative', project('backup_dir: data/b'), (c) => c.projects[0]!.backupDir, '/etc/pgkeep/data/b'],
    ['backup_dir upward', project('backup_dir: ../b'), (c) => c.projects[0]!.backupDir, '/etc/b'],
    ['backup_dir absolute', project('backup_dir: /srv/b/'), (c) => c.projects[0]!.backupDir, '/srv/b'],
    ['backup_dir from defaults', withDefaults('backup_dir: x'), (c) => c.projects[0]!.backupDir, '/etc/pgkeep/x'],
    ['password_file', project('password_file: secrets/pw'), (c) => c.projects[0]!.passwordFile, '/etc/pgkeep/secrets/pw'],
    ['metrics textfile', withDefaults('metrics: {textfile: m.prom}'), (c) => c.metrics, { textfile: '/etc/pgkeep/m.prom' }],
  ];
  for (const [name, text, pick, expected] of cases) assert.deepEqual(pick(parse(text)), expected, name);
  assert.equal(parseConfig(project('backup_dir: b'), 'conf/projects.yml').projects[0]!.backupDir, path.resolve('conf/b'));
  assert.equal(parseConfig(project(), 'conf/projects.yml').file, path.resolve('conf/projects.yml'));
});

test('timeout: whole seconds or a duration string', () => {
  const cases: Array<[string, number]> = [['3600', 3600], ['1', 1], ['"90"', 90], ['90s', 90], ['30m', 1800], ['2h', 7200], ['"5 m"', 300]];
  for (const [value, seconds] of cases) assert.equal(only(project(`timeout: ${value}`)).timeoutSeconds, seconds, value);
});

test('each kind of error, one line per case, with its line and key path', () => {
  const P = 'projects.yml:1: p.database';
  const cases: Array<[string, string, string]> = [
    ['unknown key with did-you-mean', project('', 'retention_dys: 30'), `${P}.backup.retention_dys: unknown key "retention_dys"; did you mean "retention_days"?`],
    ['unknown key without a near match', project('colour: blue'), `${P}.colour: unknown key "colour"; expected one of type, container, databases, user, backup, runtime, backup_dir, format, compression, password_env, password_file, no_owner, app_containers, timeout, row_counts, notify, globals, globals_with_passwords, offsite, encryption`],
    ['policy key in database:', project('retention_days: 3'), `${P}.retention_days: "retention_days" does not belong here; it belongs in database.backup:`],
    ['database key in backup:', project('', 'runtime: docker'), `${P}.backup.runtime: "runtime" does not belong here; it belongs one level up, in database:`],
    ['not a whole number', project('', 'retention_days: thirty'), `${P}.backup.retention_days: expected a whole number >= 1, got "thirty"`],
    ['a fraction', project('', 'keep_last: 1.5'), `${P}.backup.keep_last: expected a whole number >= 1, got 1.5`],
    ['zero retention', project('', 'keep_daily: 0'), `${P}.backup.keep_daily: expected a whole number >= 1, got 0`],
    ['compression out of range', project('compression: 10'), `${P}.compression: expected a whole number from 0 to 9, got 10`],
    ['bad choice', project('runtime: lxc'), `${P}.runtime: expected one of auto, docker, podman, got "lxc"`],
    ['bad format', project('format: tar'), `${P}.format: expected one of custom, plain, got "tar"`],
    ['bad row_counts', project('row_counts: yes'), `${P}.row_counts: expected one of exact, estimate, off, got "yes"`],
    ['bad type', project('type: mysql'), `${P}.type: expected one of postgresql, got "mysql"`],
    ['not a boolean', project('no_owner: "true"'), `${P}.no_owner: expected true or false, got "true"`],
    ['YAML 1.1 yes is not a boolean', project('', 'enabled: yes'), `${P}.backup.enabled: expected true or false, got "yes"`],
    ['bad timeout', project('timeout: 3 days'), `${P}.timeout: expected seconds as a whole number >= 1, or a duration like "90s", "30m", "2h", got "3 days"`],
    ['zero timeout', project('timeout: 0'), `${P}.timeout: expected seconds as a whole number >= 1, or a duration like "90s", "30m", "2h", got 0`],
    ['bad env var name', project('password_env: 1PASS'), `${P}.password_env: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got "1PASS"`],
    ['both password keys', project('password_env: A, password_file: f'), `${P}.password_file: expected password_env or password_file, got both`],
    ['tilde path', project('backup_dir: ~/b'), `${P}.backup_dir: expected a directory path, got "~/b" ("~" is not expanded; write the full path)`],
    ['a number where text is wanted', project('user: 1234').replace('user: u, ', ''), `${P}.user: expected a PostgreSQL user name, got 1234 (quote it to make it text: "1234")`],
    ['bad container name', project().replace('container: c', 'container: "-c"'), `${P}.container: expected a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got "-c"`],
    ['bad app container', project('app_containers: [web, "a b"]'), `${P}.app_containers[1]: expected a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got "a b"`],
    ['app_containers for an env the project lacks', project('app_containers: {prod: [web]}'), `${P}.app_containers.prod: expected an environment of this project (production, staging), got "prod"; did you mean "production"?`],
    ['app_containers a string', project('app_containers: web'), `${P}.app_containers: expected a list of container names, or a map of environment to list, got "web"`],
    ['bad webhook url', project('notify: {webhook_url: "ftp://x"}'), `${P}.notify.webhook_url: expected an http(s) URL, got "ftp://x"`],
    ['bad notify on', project('notify: {command: x, on: [always]}'), `${P}.notify.on[0]: expected failure or success, got "always"`],
    ['empty notify', project('notify: {on: [failure]}'), `${P}.notify: expected webhook_url or command (or both), got neither`],
    ['missing container', project().replace('container: c, ', ''), `${P}.container: expected a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got nothing (the key is missing)`],
    ['missing user', project().replace('user: u, ', ''), `${P}.user: expected a PostgreSQL user name, got nothing (the key is missing)`],
    ['missing databases', 'p: {database: {container: c, user: u}}', `${P}.databases: expected a map of environment to database name(s), got nothing (the key is missing)`],
    ['empty databases', 'p: {database: {container: c, user: u, databases: {}}}', `${P}.databases: expected at least one environment, e.g. production: mydb, got an empty mapping`],
    ['empty database list', 'p: {database: {container: c, user: u, databases: {production: []}}}', `${P}.databases.production: expected a database name or a non-empty list of names, got an empty list`],
    ['null database', 'p: {database: {container: c, user: u, databases: {production: }}}', `${P}.databases.production: expected a database name or a non-empty list of names, got nothing`],
    ['database listed twice', 'p: {database: {container: c, user: u, databases: {production: [a, a]}}}', `${P}.databases.production[1]: "a" is listed twice`],
    ['database block not a mapping', 'p: {database: [x]}', `${P}: expected a mapping, got a list`],
    ['project without database:', 'p: {container: c}', 'projects.yml:1: p.container: "container" does not belong here; it belongs in database:'],
    ['typo of database', 'p: {databse: {container: c}}', 'projects.yml:1: p.databse: unknown key "databse"; did you mean "database"?'],
    ['project is an empty mapping', 'p: {}', 'projects.yml:1: p: expected a project: a mapping with a database: block (container, user, databases), got an empty mapping'],
    ['project is a scalar', 'p: hello', 'projects.yml:1: p: expected a project: a mapping with a database: block (container, user, databases), got "hello"'],
    ['typo of defaults', `defualts: {runtime: podman}\n${project()}`, 'projects.yml:1: defualts: unknown top-level key "defualts"; did you mean "defaults"?'],
    ['metrics at the top level', `metrics: {textfile: m}\n${project()}`, 'projects.yml:1: metrics: "metrics" does not belong at the top level; it belongs in the defaults: block'],
    ['metrics in a project', project('metrics: {textfile: m}'), `${P}.metrics: "metrics" does not belong here; it belongs in the defaults: block`],
    ['metrics without textfile', withDefaults('metrics: {}'), 'projects.yml:1: defaults.metrics.textfile: expected a file path for the node_exporter textfile collector, got an empty mapping'],
    ['per-project key in defaults', withDefaults('container: c'), 'projects.yml:1: defaults.container: "container" does not belong here; it is set per project, in <project>.database:'],
    ['nested backup: in defaults', withDefaults('backup: {retention_days: 3}'), 'projects.yml:1: defaults.backup: "backup" does not belong here; defaults: is flat: put enabled, verify_on_restore, retention_days and keep_* directly under defaults:'],
    ['defaults map env no project has', withDefaults('app_containers: {qa: [x]}'), 'projects.yml:1: defaults.app_containers.qa: expected an environment of some project (production, staging), got "qa"'],
    ['defaults not a mapping', `defaults: [a]\n${project()}`, 'projects.yml:1: defaults: expected a mapping, got a list'],
    ['only defaults', 'defaults: {runtime: podman}', 'projects.yml:1: expected at least one project (a top-level key with a database: block), got only defaults:'],
    ['top level is an empty mapping', '{}', 'projects.yml:1: expected top-level keys: an optional defaults: block and one key per project, each with a database: block, got an empty mapping'],
    ['top level is a list', '- a\n- b', 'projects.yml:1: expected top-level keys: an optional defaults: block and one key per project, each with a database: block, got a list'],
    ['YAML syntax error', `${project()}q: [1\n`, 'projects.yml:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['duplicate key', `${project()}${project()}`, 'projects.yml:2: YAML syntax error: Map keys must be unique'],
    ['tab indentation', 'p:\n\tdatabase: {}', 'projects.yml:2: YAML syntax error: Tabs are not allowed as indentation'],
  ];
  for (const [name, text, expected] of cases) assert.deepEqual(issues(text), [expected], name);
});

test('an empty file is an error with a hint', () => {
  for (const text of ['', '# only a comment\n', '---\n', '~\n']) {
    assert.throws(() => parse(text), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, 'projects.yml: expected top-level keys: an optional defaults: block and one key per project, each with a database: block, got nothing');
      assert.match(err.hint ?? '', /sample projects\.yml/);
      assert.equal(err.exitCode, 2);
      return true;
    }, JSON.stringify(text));
  }
});

test('names that would become unsafe paths or identifiers are refused, saying what is allowed', () => {
  const rule = '(letters, digits, _ . -; not starting with . or -; no ".."; at most 63 bytes)';
  const db = (envs: string) => `ok: {database: {container: c, user: u, databases: {${envs}}}}`;
  const long = 'x'.repeat(64);
  const cases: Array<[string, string, string]> = [
    ['project ".."', '"..": {database: {container: c, user: u, databases: {p: d}}}', `projects.yml:1: "..": expected a project name ${rule}, got "..", which must not contain ".."`],
    ['project with a slash', 'a/b: {database: {container: c, user: u, databases: {p: d}}}', `projects.yml:1: "a/b": expected a project name ${rule}, got "a/b", which must not contain a path separator`],
    ['project with a leading dash', '-p: {database: {container: c, user: u, databases: {p: d}}}', `projects.yml:1: -p: expected a project name ${rule}, got "-p", which must not start with a dash`],
    ['env with a slash', db('"a/b": d'), `projects.yml:1: ok.database.databases["a/b"]: expected an environment name ${rule}, got "a/b", which must not contain a path separator`],
    ['env with a leading dot', db('.hidden: d'), `projects.yml:1: ok.database.databases[".hidden"]: expected an environment name ${rule}, got ".hidden", which must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)`],
    ['database ".."', db('p: ".."'), `projects.yml:1: ok.database.databases.p: expected a database name ${rule}, got "..", which must not contain ".."`],
    ['database with a leading dash', db('p: [ok, "-x"]'), `projects.yml:1: ok.database.databases.p[1]: expected a database name ${rule}, got "-x", which must not start with a dash`],
    ['database with a NUL', db('p: "a\\0b"'), `projects.yml:1: ok.database.databases.p: expected a database name ${rule}, got "a\\u0000b", which must not contain a NUL byte`],
    ['database with a space', db('p: "a b"'), `projects.yml:1: ok.database.databases.p: expected a database name ${rule}, got "a b", which must match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (letters, digits, _ . -)`],
    ['database over 63 bytes', db(`p: ${long}`), `projects.yml:1: ok.database.databases.p: expected a database name ${rule}, got "${long}", which must be at most 63 bytes, PostgreSQL's identifier limit`],
  ];
  for (const [name, text, expected] of cases) assert.deepEqual(issues(text), [expected], name);
  assert.deepEqual(only(db(`p: ${'x'.repeat(63)}, "with.dots-and_under": [a.b]`)).databases, { p: ['x'.repeat(63)], 'with.dots-and_under': ['a.b'] });
});

test('every issue in the file is reported at once, sorted by line', () => {
  const text = [
    'defaults:', //                                   1
    '  retention_days: -1', //                        2
    'filter-ical:', //                                3
    '  database:', //                                 4
    '    container: filter-ical-db', //               5
    '    databases:', //                              6
    '      production: filter_ical', //               7
    '      "..": other', //                           8
    '    user: filter_ical', //                       9
    '    runtim: podman', //                          10
    '    backup:', //                                 11
    '      retention_days: thirty', //                12
    'portfolio:', //                                  13
    '  database:', //                                 14
    '    container: portfolio-db', //                 15
    '    databases: {production: portfolio}', //      16
    '    app_containers: {staging: [web]}', //        17
  ].join('\n');
  assert.deepEqual(issues(text), [
    'projects.yml:2: defaults.retention_days: expected a whole number >= 1, got -1',
    'projects.yml:8: filter-ical.database.databases[".."]: expected an environment name (letters, digits, _ . -; not starting with . or -; no ".."; at most 63 bytes), got "..", which must not contain ".."',
    'projects.yml:10: filter-ical.database.runtim: unknown key "runtim"; did you mean "runtime"?',
    'projects.yml:12: filter-ical.database.backup.retention_days: expected a whole number >= 1, got "thirty"',
    'projects.yml:14: portfolio.database.user: expected a PostgreSQL user name, got nothing (the key is missing)',
    'projects.yml:17: portfolio.database.app_containers.staging: expected an environment of this project (production), got "staging"',
  ]);
});

test('an empty defaults: or backup: block (every line commented out) is allowed', () => {
  const text = 'defaults:\n  # runtime: podman\np:\n  database:\n    container: c\n    user: u\n    databases: {production: db}\n    backup:\n      # keep_last: 3\n';
  assert.deepEqual(only(text).backup, { enabled: true, verifyOnRestore: true, retention: { days: 30 } });
});

test('a defaults: app_containers env is judged against every project, even one with other problems', () => {
  const text = `defaults: {app_containers: {qa: [x]}}\n${project('', '', 'a')}b: {database: {container: "-bad", user: u, databases: {qa: d}}}\n`;
  assert.deepEqual(issues(text), ['projects.yml:3: b.database.container: expected a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got "-bad"']);
});

test('keys that name Object.prototype members are plain keys', () => {
  const p = only('p: {database: {container: c, user: u, databases: {__proto__: db, constructor: [x]}, app_containers: {__proto__: [w]}}}');
  assert.deepEqual(Object.keys(p.databases), ['__proto__', 'constructor']);
  assert.deepEqual(p.databases.__proto__, ['db']);
  assert.deepEqual(Object.entries(p.appContainers), [['__proto__', ['w']], ['constructor', []]]);
  assert.deepEqual(issues(project('constructor: x')), [
    'projects.yml:1: p.database.constructor: unknown key "constructor"; expected one of type, container, databases, user, backup, runtime, backup_dir, format, compression, password_env, password_file, no_owner, app_containers, timeout, row_counts, notify, globals, globals_with_passwords, offsite, encryption',
  ]);
});

test('ProjectConfig.line is the line of the project key', () => {
  const c = parse(`# comment\ndefaults: {runtime: auto}\n\n${project('', '', 'a')}\n${project('', '', 'b')}`);
  assert.deepEqual(c.projects.map((p) => [p.name, p.line]), [['a', 4], ['b', 6]]);
});

test('validateConfig on a document parsed with a LineCounter keeps line numbers', () => {
  const text = `${project()}${project('', 'keep_last: x', 'q')}`;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  for (const call of [() => validateConfig(doc, FILE), () => validateConfig(doc, FILE, { lineCounter, shownAs: 'x.yml' })]) {
    assert.throws(call, (err: unknown) => err instanceof ConfigError && err.issues[0]!.line === 2 && err.issues[0]!.path === 'q.database.backup.keep_last');
  }
  assert.equal(validateConfig(parseDocument(project()), 'rel/p.yml').file, path.resolve('rel/p.yml'));
});

test('aliases are followed', () => {
  const text = 'p:\n  database:\n    container: c\n    user: u\n    databases: {production: &db shop, staging: *db}\n    app_containers: &apps [web]\n';
  assert.deepEqual(only(text).databases, { production: ['shop'], staging: ['shop'] });
});

test('config path: --config, then PGKEEP_CONFIG, then ./projects.yml', () => {
  const cases: Array<[Parameters<typeof resolveConfigPath>[0], string, string]> = [
    [{ config: 'a.yml', cwd: '/w', env: { PGKEEP_CONFIG: '/e.yml' } }, '/w/a.yml', '--config'],
    [{ config: '/abs/a.yml', cwd: '/w', env: {} }, '/abs/a.yml', '--config'],
    [{ cwd: '/w', env: { PGKEEP_CONFIG: 'e.yml' } }, '/w/e.yml', 'PGKEEP_CONFIG'],
    [{ cwd: '/w', env: { PGKEEP_CONFIG: '' } }, '/w/projects.yml', 'default'],
    [{ cwd: '/w', env: {} }, '/w/projects.yml', 'default'],
  ];
  for (const [opts, file, source] of cases) assert.deepEqual(resolveConfigPath(opts), { file, source });
});

test('loadConfig reads the file the path order picks; Config.file is absolute', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await fs.mkdir(path.join(dir, 'etc'));
    await fs.writeFile(path.join(dir, 'projects.yml'), project('', '', 'here'));
    await fs.writeFile(path.join(dir, 'etc', 'other.yml'), project('backup_dir: b', '', 'there'));
    const here = await loadConfig({ cwd: dir, env: {} });
    assert.deepEqual([here.file, here.projects[0]!.name], [path.join(dir, 'projects.yml'), 'here']);
    const there = await loadConfig({ cwd: dir, env: { PGKEEP_CONFIG: 'etc/other.yml' } });
    assert.deepEqual([there.file, there.projects[0]!.backupDir], [path.join(dir, 'etc', 'other.yml'), path.join(dir, 'etc', 'b')]);
    const flag = await loadConfig({ config: 'etc/other.yml', cwd: dir, env: { PGKEEP_CONFIG: 'missing.yml' } });
    assert.equal(flag.projects[0]!.name, 'there');
    await fs.writeFile(path.join(dir, 'bad.yml'), 'p:\n  database: {container: c}\n');
    await assert.rejects(loadConfig({ config: 'bad.yml', cwd: dir }), (err: unknown) => err instanceof ConfigError && err.message.startsWith('bad.yml:2: p.database.'));
  } finally {
    await cleanup();
  }
});

test('a missing config file is a usage error naming the path and the fix', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await assert.rejects(loadConfig({ cwd: dir, env: {} }), (err: unknown) => {
      assert.ok(err instanceof UsageError && !(err instanceof ConfigError));
      assert.equal(err.exitCode, 2);
      assert.equal(err.message, `cannot read the config projects.yml (${path.join(dir, 'projects.yml')}), the default, ./projects.yml: no such file`);
      assert.match(err.hint ?? '', /CONFIG=path\/to\/projects\.yml.*PGKEEP_CONFIG/);
      assert.match(err.hint ?? '', /sample projects\.yml/);
      return true;
    });
    await assert.rejects(loadConfig({ config: '/nonexistent/p.yml', cwd: dir }), /cannot read the config \/nonexistent\/p\.yml, given with --config \(CONFIG=\): no such file/);
    await assert.rejects(loadConfig({ config: dir, cwd: '/' }), /it is a directory/);
  } finally {
    await cleanup();
  }
});

test('selectors pick targets, skip disabled projects unless named, and suggest on a typo', () => {
  const c = parse(`${SEED}
portfolio:
  database:
    container: p
    user: u
    databases: {production: [portfolio_db, authentik], staging: s}
    backup: {enabled: false}
`);
  const names = (sel: Parameters<typeof selectTargets>[1], named = false) =>
    selectTargets(c, sel, { includeDisabled: named }).map((t) => `${t.project.name}/${t.env}:${t.databases.join('+')}`);
  assert.deepEqual(names({}), ['filter-ical/production:filter_ical', 'filter-ical/staging:filter_ical_staging+other_db']);
  assert.deepEqual(names({ project: 'portfolio' }, true), ['portfolio/production:portfolio_db+authentik', 'portfolio/staging:s']);
  assert.deepEqual(names({ project: 'portfolio', db: 'authentik' }, true), ['portfolio/production:authentik']);
  assert.throws(() => names({ project: 'portfolo' }), /no project "portfolo" in .*; did you mean "portfolio"\?/);
  assert.throws(() => names({ env: 'prod' }), /no environment "prod".*did you mean "production"\?/);
  assert.throws(() => names({ project: 'portfolio', db: 'authentk' }, true), /no database "authentk".*did you mean "authentik"\?/);
});
