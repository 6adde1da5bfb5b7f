// "In order per lane": one send at a time per lane, as a promise chain per lane id. A failed send does not
// break the chain (the next message still goes), because the outbox decides what a failure means.
export interface LaneSerializer {
  run<T>(laneId: string, task: () => Promise<T>): Promise<T>;
  /** Lanes with a send queued or in flight (for tests and diagnostics). */
  readonly busyLanes: number;
}

export function createLaneSerializer(): LaneSerializer {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(laneId: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(laneId) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(laneId, tail);
      // Forget idle lanes so a long-running process does not keep one entry per lane ever seen.
      void tail.then(() => {
        if (tails.get(laneId) === tail) tails.delete(laneId);
      });
      return result;
    },
    get busyLanes() {
      return tails.size;
    },
  };
}
