// One worker harness per test file: opened before the file's tests, reset after each test, closed at the end.
import { openHarness, type Harness } from './worker-harness';

/** Registers the file's harness hooks; `set` receives the opened harness. */
export function useWorkerHarness(set: (harness: Harness) => void): void {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
    set(h);
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    await h.reset();
  });
}
