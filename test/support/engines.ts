// The engines integration tests run on. They never skip: an engine that does not answer fails the
// run loudly. PGKEEP_TEST_ENGINES=docker (or podman) is the one documented opt-out, for a laptop
// that has only one engine.
import Docker from 'dockerode';

export interface TestEngine {
  name: 'docker' | 'podman';
  socket: string;
  docker: Docker;
}

const ALL = [
  { name: 'docker', socket: 'unix:///var/run/docker.sock' },
  { name: 'podman', socket: 'unix:///run/podman/podman.sock' },
] as const;

/**
 * The engine names PGKEEP_TEST_ENGINES selects; unset means both. An empty value or an unknown
 * name throws: a selection of zero engines would let every integration test pass without running.
 */
export function selectEngineNames(value: string | undefined): Array<TestEngine['name']> {
  if (value === undefined) return ALL.map((e) => e.name);
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known: readonly string[] = ALL.map((e) => e.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (names.length === 0 || unknown.length > 0) {
    const got = names.length === 0 ? 'an empty value' : `unknown engine ${unknown.map((n) => JSON.stringify(n)).join(', ')}`;
    throw new Error(`PGKEEP_TEST_ENGINES=${JSON.stringify(value)} selects no test engine (${got}); expected docker, podman or docker,podman, or leave it unset for both`);
  }
  return names as Array<TestEngine['name']>;
}

export function testEngines(): TestEngine[] {
  const wanted = selectEngineNames(process.env.PGKEEP_TEST_ENGINES);
  return ALL.filter((e) => wanted.includes(e.name)).map((e) => ({
    ...e,
    docker: new Docker({ socketPath: e.socket.slice('unix://'.length) }),
  }));
}

export async function requireEngine(e: TestEngine): Promise<void> {
  try {
    await e.docker.ping();
  } catch (err) {
    throw new Error(
      `the ${e.name} engine does not answer on ${e.socket} (${(err as Error).message}). ` +
        `Integration tests need real engines: run 'make test' (it starts them via test/bed/setup.sh), ` +
        `or set PGKEEP_TEST_ENGINES to the engines you have.`,
    );
  }
}
