import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeCommand, type CommandVars, type ConfigFacts, type MakeTarget } from '../../lib/cli/command-hint.ts';
import { plural } from '../../lib/plural.ts';

const cwd = '/srv/pgkeep';
const one: ConfigFacts = { file: '/srv/pgkeep/projects.yml', projects: [{ name: 'shop', envs: ['production'], enabled: true }] };
const twoEnvs: ConfigFacts = { ...one, projects: [{ name: 'shop', envs: ['production', 'staging'], enabled: true }] };
const twoProjects: ConfigFacts = { ...one, projects: [...one.projects, { name: 'crm', envs: ['production'], enabled: true }] };
const disabled: ConfigFacts = { ...one, projects: [{ name: 'shop', envs: ['production'], enabled: false }] };
const unknown: ConfigFacts = { file: '/srv/pgkeep/projects.yml', projects: [] };
const at = (file: string, f: ConfigFacts = one): ConfigFacts => ({ ...f, file });
const shop = { project: 'shop', env: 'production' };

test('makeCommand: config, selectors and values, one line per case', () => {
  const cases: Array<[MakeTarget, CommandVars, ConfigFacts, string]> = [
    ['db-restore', { ...shop, backup: '20261122_020000' }, one, 'make db-restore BACKUP=20261122_020000'],
    ['db-restore', { ...shop, backup: 'latest' }, twoEnvs, 'make db-restore ENV=production BACKUP=latest'],
    ['db-restore', { ...shop, backup: 'latest' }, twoProjects, 'make db-restore PROJECT=shop BACKUP=latest'],
    ['db-backup', shop, disabled, 'make db-backup PROJECT=shop'],
    ['db-backup', shop, unknown, 'make db-backup PROJECT=shop ENV=production'],
    ['db-list-backups', {}, unknown, 'make db-list-backups'],
    ['db-list-backups', {}, at('/etc/pgkeep/projects.yml'), 'make db-list-backups CONFIG=/etc/pgkeep/projects.yml'],
    ['db-list-backups', {}, at('/srv/pgkeep/conf/prod.yml'), 'make db-list-backups CONFIG=conf/prod.yml'],
    ['db-list-backups', {}, at('/srv/pgkeep-other/projects.yml'), 'make db-list-backups CONFIG=/srv/pgkeep-other/projects.yml'],
    ['db-list-backups', {}, at('/tmp/my configs/p.yml'), "make db-list-backups CONFIG='/tmp/my configs/p.yml'"],
    ['db-list-backups', {}, at("/tmp/it's/p.yml"), "make db-list-backups CONFIG='/tmp/it'\\''s/p.yml'"],
    ['db-list-backups', {}, at('/tmp/$HOME/p.yml'), "make db-list-backups CONFIG='/tmp/$$HOME/p.yml'"],
    ['db-restore', { ...shop, backup: '/b/shop/production/shop_20261122_020000.dump', db: 'shop' }, twoProjects,
      'make db-restore PROJECT=shop DB=shop BACKUP=/b/shop/production/shop_20261122_020000.dump'],
    ['db-restore', { ...shop, backup: './x y.dump', db: 'shop', yes: true }, one, "make db-restore DB=shop BACKUP='./x y.dump' YES=1"],
    ['db-pre-deploy', { ...shop, label: '<git sha>' }, twoEnvs, "make db-pre-deploy ENV=production LABEL='<git sha>'"],
    ['db-restore', { project: 'shop', env: 'qa', backup: 'latest' }, one, 'make db-restore ENV=qa BACKUP=latest'],
    ['db-restore', { project: 'nope', env: 'production', backup: 'latest' }, one, 'make db-restore PROJECT=nope ENV=production BACKUP=latest'],
    ['db-restore', { backup: 'latest', targetDb: 'shop_check' }, one, 'make db-restore BACKUP=latest TARGET_DB=shop_check'],
    ['db-restore', { backup: 'latest', container: 'new-db', from: 'offsite', globals: true }, one, 'make db-restore BACKUP=latest CONTAINER=new-db FROM=offsite GLOBALS=1'],
    ['db-restore', { backup: 'latest', inPlace: true, noOwner: true }, one, 'make db-restore BACKUP=latest IN_PLACE=1 NO_OWNER=1'],
  ];
  for (const [target, vars, facts, expected] of cases) assert.equal(makeCommand(target, vars, facts, cwd), expected, expected);
});

test('plural: one line per case', () => {
  const cases: Array<[number, string, string | undefined, string]> = [
    [0, 'table', undefined, '0 tables'], [1, 'table', undefined, '1 table'], [2, 'table', undefined, '2 tables'],
    [1, 'row', undefined, '1 row'], [20500, 'row', undefined, '20,500 rows'], [1, 'backup set', undefined, '1 backup set'],
    [3, 'database backup', undefined, '3 database backups'], [2, 'entry', 'entries', '2 entries'], [1, 'entry', 'entries', '1 entry'],
  ];
  for (const [n, word, many, expected] of cases) assert.equal(plural(n, word, many), expected);
});
