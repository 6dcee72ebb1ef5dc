// PGKEEP_TEST_ENGINES decides which engines the integration suite runs on; a selection of zero
// engines must fail the run, never turn every integration test into a silent pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectEngineNames, testEngines } from '../support/engines.ts';

test('PGKEEP_TEST_ENGINES: unset means both, a list picks those', () => {
  const cases: Array<[string | undefined, string[]]> = [
    [undefined, ['docker', 'podman']],
    ['docker', ['docker']],
    ['podman', ['podman']],
    ['docker,podman', ['docker', 'podman']],
    [' docker , podman ', ['docker', 'podman']],
  ];
  for (const [value, expected] of cases) assert.deepEqual(selectEngineNames(value), expected, JSON.stringify(value));
});

test('PGKEEP_TEST_ENGINES empty or misspelt fails instead of selecting no engine', () => {
  for (const value of ['', ' ', ',', 'dockr', 'docker,podmn', 'Docker']) {
    assert.throws(() => selectEngineNames(value), /PGKEEP_TEST_ENGINES=.*selects no test engine/, JSON.stringify(value));
  }
  const saved = process.env.PGKEEP_TEST_ENGINES;
  try {
    process.env.PGKEEP_TEST_ENGINES = 'dockr';
    assert.throws(() => testEngines(), /unknown engine "dockr"/);
    process.env.PGKEEP_TEST_ENGINES = '';
    assert.throws(() => testEngines(), /an empty value/);
  } finally {
    if (saved === undefined) delete process.env.PGKEEP_TEST_ENGINES;
    else process.env.PGKEEP_TEST_ENGINES = saved;
  }
});
