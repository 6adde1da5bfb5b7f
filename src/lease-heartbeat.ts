// Keeps the leases a process holds alive while it works on them (issue 13): leases stay short, so a worker that
// dies (SIGKILL, a lost task) frees its lane messages and settlements within about one lease, and a holder that
// works longer than a lease keeps what it holds. Every `intervalMs` each held lease is moved forward to
// now + leaseMs, fenced by its current end: the `lease_until` a holder last wrote is its token, and a row whose
// `lease_until` is anything else has been taken over (or finished), so the holder stops touching it.
import type { Clock } from './clock';
import type { Logger } from './log';

export interface LeaseHeartbeatOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** How far each renewal moves a lease past now, in ms. */
  readonly leaseMs: number;
  /** Between renewals, in ms (well under leaseMs: a renewal must land before the lease ends). */
  readonly intervalMs: number;
  /** Moves one lease from `from` to `to` if it still ends at `from`; false when it is no longer ours. */
  readonly renew: (key: string, from: Date, to: Date) => Promise<boolean>;
  /** Names what is leased in log lines, e.g. 'lane message'. */
  readonly what: string;
  /** Told once when a lease is lost (taken over, or a renewal failed). */
  readonly onLost?: (key: string) => void;
}

export interface LeaseHeartbeat {
  /** Starts renewing a lease this process took until `until`. */
  hold(key: string, until: Date): void;
  /**
   * Stops renewing it, after a renewal in flight has landed. Resolves with the lease's current end (the fence
   * for the holder's last write), or null when the lease was lost and the holder must leave the row alone.
   */
  release(key: string): Promise<Date | null>;
  /** Leases held and not lost. */
  readonly size: number;
  /** Stops the timer; leases still held are left to expire. */
  stop(): void;
}

interface Held {
  until: Date;
  lost: boolean;
  renewal: Promise<void> | undefined;
}

export function createLeaseHeartbeat(o: LeaseHeartbeatOptions): LeaseHeartbeat {
  if (!(o.intervalMs > 0 && o.intervalMs < o.leaseMs))
    throw new RangeError('lease heartbeat interval must be > 0 and shorter than the lease');
  const held = new Map<string, Held>();
  let timer: NodeJS.Timeout | undefined;

  function lose(key: string, h: Held, reason: string, error?: string): void {
    if (h.lost) return;
    h.lost = true;
    o.logger.warn(`${o.what} lease lost; leaving it to its new holder`, {
      key,
      reason,
      ...(error ? { error } : {}),
    });
    o.onLost?.(key);
  }

  async function renewOne(key: string, h: Held): Promise<void> {
    const to = new Date(o.clock.now().getTime() + o.leaseMs);
    try {
      if (await o.renew(key, h.until, to)) h.until = to;
      else lose(key, h, 'taken over or finished elsewhere');
    } catch (err) {
      // Whether it landed is unknown: the row may now end at `to` or at `until`. Either way it is no longer
      // a fence this holder can trust, so it stops touching the row; the row is retried once the lease ends.
      lose(key, h, 'renewal failed', err instanceof Error ? err.message : String(err));
    }
  }

  function tick(): void {
    for (const [key, h] of held) {
      if (h.lost || h.renewal) continue;
      h.renewal = renewOne(key, h).finally(() => (h.renewal = undefined));
    }
  }

  function sync(): void {
    if (held.size > 0 && !timer) {
      timer = setInterval(tick, o.intervalMs);
      timer.unref();
    } else if (held.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  return {
    hold(key, until) {
      held.set(key, { until, lost: false, renewal: undefined });
      sync();
    },
    async release(key) {
      const h = held.get(key);
      if (!h) return null;
      held.delete(key);
      sync();
      await h.renewal;
      return h.lost ? null : h.until;
    },
    get size() {
      let n = 0;
      for (const h of held.values()) if (!h.lost) n += 1;
      return n;
    },
    stop() {
      held.clear();
      sync();
    },
  };
}
