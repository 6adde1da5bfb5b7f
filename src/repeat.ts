// A background loop that runs `pass` now and then every `intervalMs` after the previous one ended (never
// overlapping itself), logging a failed pass and going on. Used by the sweeper and the settlement runner.
import type { Logger } from './log';

export interface Repeating {
  start(): void;
  /** No pass starts after this; resolves when the one running (if any) has ended. */
  stop(): Promise<void>;
  readonly stopped: boolean;
}

export function repeatEvery(
  intervalMs: number,
  pass: () => Promise<unknown>,
  logger: Logger,
  failure: string,
): Repeating {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let started = false;
  let stopped = false;

  function tick(): void {
    running = pass()
      .catch((err: unknown) =>
        logger.error(failure, { error: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    get stopped() {
      return stopped;
    },
  };
}
