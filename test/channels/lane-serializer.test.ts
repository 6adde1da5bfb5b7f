import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { createLaneSerializer } from '../../src/channels/lane-serializer';

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('lane serializer', () => {
  it('runs one task at a time per lane, in call order, and goes on after a failure', async () => {
    const serializer = createLaneSerializer();
    const log: string[] = [];
    const first = deferred<string>();
    const a = serializer.run('lane-1', async () => {
      log.push('start 1');
      return first.promise;
    });
    const b = serializer.run('lane-1', async () => {
      log.push('start 2');
      return 'two';
    });
    await nextMacrotask();
    expect(log).toEqual(['start 1']);
    first.reject(new Error('controller down'));
    await expect(a).rejects.toThrow('controller down');
    await expect(b).resolves.toBe('two');
    expect(log).toEqual(['start 1', 'start 2']);
  });

  it('forgets a lane once its chain is idle', async () => {
    const serializer = createLaneSerializer();
    await Promise.all([serializer.run('lane-1', async () => 1), serializer.run('lane-2', async () => 2)]);
    // The cleanup runs in the continuation after each task settles; one macrotask drains all of them.
    await nextMacrotask();
    expect(serializer.busyLanes).toBe(0);
  });
});
