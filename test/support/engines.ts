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

export function testEngines(): TestEngine[] {
  const wanted = (process.env.PGKEEP_TEST_ENGINES ?? 'docker,podman').split(',').map((s) => s.trim());
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
