// A stand-in for an application container: anything running will do, so it sleeps.
import { randomBytes } from 'node:crypto';
import type { TestEngine } from './engines.ts';
import { image } from './pg-container.ts';

export interface AppContainer {
  name: string;
  running(): Promise<boolean>;
  remove(): Promise<void>;
}

export async function startApp(engine: TestEngine): Promise<AppContainer> {
  const name = `pgkeep-app-${randomBytes(4).toString('hex')}`;
  const c = await engine.docker.createContainer({ name, Image: image(15), Cmd: ['sleep', 'infinity'], Labels: { 'pgkeep-test': '1' } });
  await c.start();
  return {
    name,
    running: async () => (await c.inspect()).State.Running === true,
    remove: () => c.remove({ force: true }).then(() => undefined, () => undefined),
  };
}
