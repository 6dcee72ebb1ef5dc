// The bed of the faults that strike while pg_dump streams: a database big enough that its dump
// takes a while, and a baseline backup the fault must leave intact. One per describe.
import { after, afterEach, before } from 'node:test';
import { baselineBackup, createBigDatabase, makeBed, stopLeftoverScripts, type Bed } from '../faults/support.ts';
import type { TestEngine } from './engines.ts';
import { standIn } from './stand-in.ts';

/** Call in a describe body: registers the hooks that make the bed, stop scripts a failed case left, and remove it. */
export function useBigDumpBed(engine: TestEngine): Bed {
  let bed: Bed | undefined;
  before(async () => {
    bed = await makeBed(engine, { databases: ['big'] });
    await createBigDatabase(bed.pg, 'big');
    await baselineBackup(bed);
  });
  afterEach(stopLeftoverScripts);
  after(async () => bed?.cleanup());
  return standIn('the fault bed', () => bed);
}
