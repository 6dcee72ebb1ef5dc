import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig, resolveConfigPath } from '../../lib/config/load.ts';
import { selectTargets } from '../../lib/config/select.ts';
import { ConfigError, UsageError } from '../../lib/errors.ts';

let dir: string;
before(async () => void (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pgkeep-config-'))));
after(() => fs.rm(dir, { recursive: true, force: true }));

async function load(yaml: string) {
  const file = path.join(dir, 'projects.yml');
  await fs.writeFile(file, yaml);
  return loadConfig({ config: file, cwd: dir });
}

async function issues(yaml: string): Promise<string[]> {
  const err = await load(yaml).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
  return err.message.split('\n');
}

const SEED = `
filter-ical:
  database:
    type: postgresql
    container: filter-ical-db
    databases:
      production: filter_ical
    user: filter_ical
    backup:
      enabled: true
      retention_days: 30
      verify_on_restore: true
`;

test('the seed format parses unchanged, with defaults filled in', async () => {
  const c = await load(SEED);
  assert.equal(c.file, path.join(dir, 'projects.yml'));
  assert.deepEqual(c.projects, [{
    name: 'filter-ical', line: 2, container: 'filter-ical-db', user: 'filter_ical',
    databases: { production: ['filter_ical'] }, appContainers: { production: [] },
    runtime: 'auto', backupDir: path.join(dir, 'backups'), format: 'custom', compression: 6, noOwner: false,
    timeoutSeconds: 3600, rowCounts: 'exact',
    backup: { enabled: true, verifyOnRestore: true, retention: { days: 30 } },
  }]);
});

test('defaults are inherited, a project value wins, and a list replaces rather than merges', async () => {
  const c = await load(`
defaults:
  backup_dir: /srv/backups
  runtime: podman
  retention_days: 14
  app_containers: [a, b]
  timeout: 30m
  metrics: {textfile: ./metrics/pgkeep.prom}
  notify: {webhook_url: "https://hooks.example.org/x"}
one:
  database:
    container: c1
    user: u
    databases: {production: [db1, db2], staging: db3}
    app_containers: [c]
    runtime: docker
    password_file: ./secrets/pw
two:
  database:
    container: c2
    user: u
    databases: {production: db}
    app_containers: {production: [web]}
    backup: {keep_daily: 7}
`);
  const [one, two] = c.projects;
  assert.equal(one!.backupDir, '/srv/backups');
  assert.equal(one!.runtime, 'docker');
  assert.equal(two!.runtime, 'podman');
  assert.deepEqual(one!.appContainers, { production: ['c'], staging: ['c'] });
  assert.deepEqual(two!.appContainers, { production: ['web'] });
  assert.deepEqual(one!.databases, { production: ['db1', 'db2'], staging: ['db3'] });
  assert.equal(one!.timeoutSeconds, 1800);
  assert.equal(one!.passwordFile, path.join(dir, 'secrets', 'pw'));
  assert.deepEqual(one!.backup.retention, { days: 14 });
  assert.deepEqual(two!.backup.retention, { days: 14, daily: 7 }, 'keys that are set combine; no default 30 added');
  assert.deepEqual(c.metrics, { textfile: path.join(dir, 'metrics', 'pgkeep.prom') });
  assert.deepEqual(two!.notify, { on: ['failure'], webhookUrl: 'https://hooks.example.org/x' });
});

test('the 30-day default applies only when no retention key is set at all', async () => {
  const only = await load(SEED.replace('retention_days: 30', 'keep_last: 5'));
  assert.deepEqual(only.projects[0]!.backup.retention, { last: 5 });
  const none = await load(SEED.replace('      retention_days: 30\n', ''));
  assert.deepEqual(none.projects[0]!.backup.retention, { days: 30 });
});

test('every problem is reported in one run, each with file, line, key path and what was expected', async () => {
  const lines = await issues(`
defaults:
  retention_dys: 14
filter-ical:
  database:
    container: filter-ical-db
    databases: {production: filter_ical}
    user: filter_ical
    formatt: plain
    compression: 11
    timeout: soon
    backup:
      enabled: yes please
      retention_days: thirty
`);
  assert.deepEqual(lines, [
    'projects.yml:3: defaults.retention_dys: unknown key "retention_dys"; did you mean "retention_days"?',
    'projects.yml:9: filter-ical.database.formatt: unknown key "formatt"; did you mean "format"?',
    'projects.yml:10: filter-ical.database.compression: expected a whole number from 0 to 9, got 11',
    'projects.yml:11: filter-ical.database.timeout: expected seconds as a whole number >= 1, or a duration like "90s", "30m", "2h", got "soon"',
    'projects.yml:13: filter-ical.database.backup.enabled: expected true or false, got "yes please"',
    'projects.yml:14: filter-ical.database.backup.retention_days: expected a whole number >= 1, got "thirty"',
  ]);
});

test('names that become paths or SQL identifiers are checked', async () => {
  const cases: Array<[string, RegExp]> = [
    ['"../x":\n  database: {container: c, user: u, databases: {p: d}}', /\.\.\/x: project name must not contain a path separator/],
    ['"-x":\n  database: {container: c, user: u, databases: {p: d}}', /-x: project name must not start with a dash/],
    ['x:\n  database: {container: c, user: u, databases: {"a..b": d}}', /environment name must not contain "\.\."/],
    ['x:\n  database: {container: c, user: u, databases: {p: "a/b"}}', /database name "a\/b" must not contain a path separator/],
    ['x:\n  database: {container: c, user: u, databases: {p: "a\\u0000b"}}', /must not contain a NUL byte/],
    ['x:\n  database: {container: "-c", user: u, databases: {p: d}}', /container: expected a container name/],
    ['x:\n  database: {container: c, user: u, databases: {p: [d, "x y"]}}', /databases\.p\[1\]: database name "x y" must match/],
  ];
  for (const [yaml, expected] of cases) assert.match((await issues(yaml)).join('\n'), expected, yaml);
});

test('structural mistakes are explained', async () => {
  const cases: Array<[string, RegExp]> = [
    ['', /projects\.yml: expected projects: top-level keys/],
    ['x:\n  database: {user: u, databases: {p: d}}', /projects\.yml:2: x\.database\.container: missing; expected a container name/],
    ['x:\n  databse: {}', /x\.databse: unknown key "databse"; did you mean "database"\?/],
    ['x:\n  database: {type: mysql, container: c, user: u, databases: {p: d}}', /x\.database\.type: expected one of postgresql, got "mysql"/],
    ['x:\n  database: {container: c, user: u, databases: {p: d}, app_containers: {staging: [w]}}', /app_containers\.staging: "staging" is not an environment of x \(p\)/],
    ['x:\n  database: {container: c, user: u, databases: {p: d}, notify: {on: [failure]}}', /notify: expected webhook_url or command/],
    ['x: [', /YAML syntax/],
  ];
  for (const [yaml, expected] of cases) assert.match((await issues(yaml)).join('\n'), expected, yaml);
});

test('config path: --config, then PGKEEP_CONFIG, then ./projects.yml; a missing file is a usage error', async () => {
  assert.equal(resolveConfigPath({ config: 'a.yml', cwd: '/w', env: { PGKEEP_CONFIG: 'b.yml' } }).file, '/w/a.yml');
  assert.equal(resolveConfigPath({ cwd: '/w', env: { PGKEEP_CONFIG: '/etc/b.yml' } }).file, '/etc/b.yml');
  assert.equal(resolveConfigPath({ cwd: '/w', env: {} }).file, '/w/projects.yml');
  await assert.rejects(loadConfig({ config: 'nope.yml', cwd: dir }), (e: unknown) => e instanceof UsageError && /cannot read the config nope\.yml \(from --config\): no such file/.test(e.message));
});

test('selectors pick targets, skip disabled projects unless named, and suggest on a typo', async () => {
  const c = await load(`${SEED}
portfolio:
  database:
    container: p
    user: u
    databases: {production: [portfolio_db, authentik], staging: s}
    backup: {enabled: false}
`);
  const names = (sel: Parameters<typeof selectTargets>[1], named = false) =>
    selectTargets(c, sel, { includeDisabled: named }).map((t) => `${t.project.name}/${t.env}:${t.databases.join('+')}`);
  assert.deepEqual(names({}), ['filter-ical/production:filter_ical']);
  assert.deepEqual(names({ project: 'portfolio' }, true), ['portfolio/production:portfolio_db+authentik', 'portfolio/staging:s']);
  assert.deepEqual(names({ project: 'portfolio', db: 'authentik' }, true), ['portfolio/production:authentik']);
  assert.throws(() => names({ project: 'portfolo' }), /no project "portfolo" in .*; did you mean "portfolio"\?/);
  assert.throws(() => names({ env: 'prod' }), /no environment "prod".*did you mean "production"\?/);
  assert.throws(() => names({ project: 'portfolio', db: 'authentk' }, true), /no database "authentk".*did you mean "authentik"\?/);
});
