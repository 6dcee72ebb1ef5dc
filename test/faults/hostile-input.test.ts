// Hostile input: each case exits with the documented code (2 for usage and config, unless noted),
// says one clear sentence naming the file/line/key or flag, prints no stack trace, and touches
// nothing. A database whose real name needs quoting backs up and restores on both engines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript, type ScriptResult } from '../support/run-script.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const project = (container = 'pgkeep-hostile-none', databases = 'shop') => `
shop:
  database:
    container: ${container}
    user: postgres
    databases:
      production: ${databases}
    backup_dir: ./backups
`;

/** Every file under `dir`, with its bytes, to prove a refused run touched nothing. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    out[path.relative(dir, full)] = e.isSymbolicLink() ? `-> ${await fs.readlink(full)}` : e.isFile() ? await fs.readFile(full, 'utf8') : 'dir';
  }
  return out;
}

function refused(r: ScriptResult, code: number, message: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.equal(r.stdout, '', 'nothing on stdout');
}

describe('hostile input, refused before anything is touched', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir('pgkeep-hostile-');
  });
  after(async () => tmp?.cleanup());

  /** Runs `script` in a fresh directory holding `files`, and checks the directory is unchanged. */
  async function run(script: string, args: string[], files: Record<string, string>, setup?: (dir: string) => Promise<void>): Promise<ScriptResult> {
    const dir = await fs.mkdtemp(path.join(tmp.dir, 'case-'));
    for (const [name, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await fs.writeFile(path.join(dir, name), text);
    }
    await setup?.(dir);
    const before = await snapshot(dir);
    const r = await runScript(script, args.map((a) => a.replaceAll('$DIR', dir)), { env: { DOCKER_HOST: undefined, CONTAINER_HOST: undefined } });
    assert.deepEqual(await snapshot(dir), before, `${script} ${args.join(' ')} touched ${dir}`);
    return r;
  }
  const cfg = ['--config', '$DIR/projects.yml'];

  const configCases: Array<[string, string | undefined, RegExp]> = [
    ['missing', undefined, /cannot read the config .*projects\.yml, given with --config \(CONFIG=\): no such file/],
    ['empty', '', /projects\.yml: expected top-level keys.*got nothing/],
    ['not YAML', 'shop: [a\n', /projects\.yml:2: YAML syntax error/],
    ['a list', '- shop\n- blog\n', /projects\.yml:1: expected top-level keys.*got a list/],
    ['duplicate keys', project().replace('    user: postgres\n', '    user: postgres\n    user: admin\n'), /projects\.yml:\d+: YAML syntax error: Map keys must be unique/],
    ['wrong types', project() + '    backup:\n      retention_days: many\n', /projects\.yml:\d+: shop\.database\.backup\.retention_days: expected a whole number >= 1, got "many"/],
    ['unknown keys', project() + '    retension_days: 3\n', /projects\.yml:\d+: shop\.database\.retension_days: unknown key "retension_days"/],
  ];
  for (const [what, text, message] of configCases) {
    it(`config ${what}: exit 2 naming the file (and line and key)`, async () => {
      refused(await run('list-backups', cfg, text === undefined ? {} : { 'projects.yml': text }), 2, message);
    });
  }

  const nameCases: Array<[string, string, string]> = [
    ['a project name with ../', project().replace('shop:', '"../shop":'), '../shop'],
    ['a project name with /', project().replace('shop:', '"a/b":'), 'a/b'],
    ['an environment name with a space', project().replace('production:', '"prod uction":'), 'prod uction'],
    ['a database name with quotes', project('pgkeep-hostile-none', `'x"y'`), 'x"y'],
    ['a database name with $(…)', project('pgkeep-hostile-none', `"$(touch /tmp/pwned)"`), '$(touch /tmp/pwned)'],
    ['a database name with ;', project('pgkeep-hostile-none', `"shop;drop"`), 'shop;drop'],
    ['a database name with a leading -', project('pgkeep-hostile-none', `"-rf"`), '-rf'],
    ['a container name with ../', project('"../../images/x"'), '../../images/x'],
  ];
  for (const [what, text, name] of nameCases) {
    it(`config with ${what}: exit 2 naming the line and the name`, async () => {
      const r = await run('backup', cfg, { 'projects.yml': text });
      refused(r, 2, /projects\.yml:\d+: /);
      assert.ok(r.stderr.includes(JSON.stringify(name).slice(1, -1)) || r.stderr.includes(name), r.stderr);
    });
  }

  const flagCases: Array<[string, string[], RegExp]> = [
    ['an unknown flag', ['--bogus'], /unknown option --bogus/],
    ['a misspelt flag', ['--projet', 'shop'], /unknown option --projet; did you mean --project\?/],
    ['a missing value', ['--db'], /--db needs a value/],
    ['a non-numeric number', ['--lock-wait', 'soon'], /--lock-wait expects a whole number of seconds, got "soon"/],
    ['a database name with ../', ['--db', '../x'], /--db "\.\.\/x" is not a valid database name/],
    ['a database name with $(…)', ['--db', '$(id)'], /--db "\$\(id\)" is not a valid database name/],
  ];
  for (const [what, args, message] of flagCases) {
    it(`backup with ${what}: exit 2 naming the flag`, async () => {
      refused(await run('backup', [...cfg, ...args], { 'projects.yml': project() }), 2, message);
    });
  }
  it('scheduled-backup with a non-numeric --concurrency: exit 2', async () => {
    refused(await run('scheduled-backup', [...cfg, '--concurrency', 'x2'], { 'projects.yml': project() }), 2, /--concurrency expects a whole number >= 1, got "x2"/);
  });

  const restoreCases: Array<[string, string[], RegExp]> = [
    ['BACKUP= with traversal', ['--backup', '../../etc/passwd'], /BACKUP="\.\.\/\.\.\/etc\/passwd" is refused/],
    ['BACKUP= with traversal inside a name', ['--backup', 'shop/../../x'], /is refused/],
    ['BACKUP= an impossible time', ['--backup', '20261123_999999'], /BACKUP=20261123_999999 has the shape of a timestamp .* but is not a valid time/],
    ['an absolute path to a file from elsewhere, no DB=', ['--backup', '/etc/passwd'], /BACKUP=\/etc\/passwd is a file from elsewhere: say which database it is with DB=/],
    ['--target-db with ../', ['--backup', 'latest', '--target-db', '../x'], /--target-db "\.\.\/x" is not a valid database name/],
    ['--target-db with a quote', ['--backup', 'latest', '--target-db', 'x"y'], /--target-db "x\\"y" is not a valid database name/],
    ['--container with ../', ['--backup', 'latest', '--container', '../../images/x'], /--container "\.\.\/\.\.\/images\/x" is not a valid container name/],
    ['--container with ?', ['--backup', 'latest', '--container', 'a?b'], /--container "a\?b" is not a valid container name/],
  ];
  for (const [what, args, message] of restoreCases) {
    it(`restore with ${what}: exit 2, one sentence`, async () => {
      refused(await run('restore', [...cfg, '--yes', ...args], { 'projects.yml': project() }), 2, message);
    });
  }

  it('restore of an absolute path that is no backup: exit 1, says it is not a dump', async () => {
    const r = await run('restore', [...cfg, '--yes', '--backup', '/etc/passwd', '--db', 'shop'], { 'projects.yml': project() }, async (dir) => {
      await fs.mkdir(path.join(dir, 'backups/shop/production'), { recursive: true, mode: 0o700 });
    });
    refused(r, 1, /\/etc\/passwd is not a PostgreSQL dump/);
  });

  it('restore of ./file whose manifest is not JSON: exit 1, names the manifest instead of skipping the checksum', async () => {
    const r = await run('restore', [...cfg, '--yes', '--backup', '$DIR/shop_20261101_010101.dump'], {
      'projects.yml': project(),
      'shop_20261101_010101.dump': 'PGDMP not really',
      'shop_20261101_010101.dump.json': '{"sha256": ',
    }, async (dir) => void (await fs.mkdir(path.join(dir, 'backups/shop/production'), { recursive: true, mode: 0o700 })));
    refused(r, 1, /shop_20261101_010101\.dump\.json cannot be used \(.*\), so the file's checksum cannot be checked/);
  });

  it('a symlink in backup_dir pointing outside it, with a manifest, is never taken for a backup', async () => {
    const r = await run('restore', [...cfg, '--yes', '--backup', '20261101_010101'], { 'projects.yml': project() }, async (dir) => {
      const d = path.join(dir, 'backups/shop/production');
      await fs.mkdir(d, { recursive: true, mode: 0o700 });
      await fs.symlink('/etc/passwd', path.join(d, 'shop_20261101_010101.dump'));
      const m = { manifest_version: 1, project: 'shop', env: 'production', database: 'shop', timestamp: '20261101_010101', file: 'shop_20261101_010101.dump', sha256: 'x', reason: 'manual' };
      await fs.writeFile(path.join(d, 'shop_20261101_010101.dump.json'), JSON.stringify(m));
      await fs.symlink('/etc/hostname', path.join(d, 'shop_latest.dump'));
    });
    refused(r, 1, /no backup taken at 20261101_010101 for shop/);
    const latest = await run('restore', [...cfg, '--yes', '--backup', 'latest'], { 'projects.yml': project() }, async (dir) => {
      const d = path.join(dir, 'backups/shop/production');
      await fs.mkdir(d, { recursive: true, mode: 0o700 });
      await fs.symlink('/etc/hostname', path.join(d, 'shop_latest.dump'));
    });
    refused(latest, 1, /no backup of "shop" in .*backups\/shop\/production/);
  });

  it('list-backups on a backup directory it cannot read says so instead of "no backups yet"', async () => {
    const r = await run('list-backups', cfg, { 'projects.yml': project(), 'backups/shop/production': 'a file where the directory should be' });
    refused(r, 1, /the backup directory .*backups\/shop\/production cannot be read \(ENOTDIR/);
  });

  it('backup into a backup_dir on a read-only file system names the read-only directory, not ENOENT', async () => {
    const dir = await fs.mkdtemp(path.join(tmp.dir, 'ro-'));
    const ro = path.join(dir, 'ro');
    await fs.mkdir(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    try {
      const file = await writeConfig(dir, project().replace('./backups', './ro/backups'));
      const r = await runScript('backup', ['--config', file], { env: { DOCKER_HOST: undefined } });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`cannot create the directory ${ro}/backups.*: ${ro} is on a read-only file system`));
      assert.doesNotMatch(r.stderr, /ENOENT|^\s+at /m);
    } finally {
      execFileSync('umount', [ro]);
    }
  });
});

for (const engine of testEngines()) {
  describe(`a database whose name needs quoting, on ${engine.name}`, () => {
    let pg: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    before(async () => {
      tmp = await tempDir('pgkeep-hostile-');
      pg = await startPostgres(engine, 15);
      await pg.sql('postgres', `CREATE DATABASE "My-Shop" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await pg.sql('My-Shop', `CREATE TABLE "Order Items" (id int PRIMARY KEY, "Name" text); INSERT INTO "Order Items" SELECT g, 'item ' || g FROM generate_series(1, 50) g`);
    });
    after(async () => {
      await pg?.remove();
      await tmp?.cleanup();
    });

    it('My-Shop backs up and restores (swap), its rows intact', async () => {
      const file = await writeConfig(tmp.dir, project(pg.name, 'My-Shop'));
      const env = { DOCKER_HOST: engine.socket };
      const b = await runScript('backup', ['--config', file], { env });
      assert.equal(b.code, 0, b.stderr);
      assert.match(b.stdout, /My-Shop_\d{8}_\d{6}\.dump/);
      await pg.sql('My-Shop', `DELETE FROM "Order Items" WHERE id > 10`);
      const r = await runScript('restore', ['--config', file, '--backup', 'latest', '--yes'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await pg.sql('My-Shop', 'SELECT count(*) FROM "Order Items"'), '50');
    });
  });
}
