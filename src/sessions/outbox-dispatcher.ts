// Delivers the outbox (lane messages written with their step) to each lane's controller channel: in `seq`
// order per lane, at least once, with stable ids (`laneMessageId`) so controllers deduplicate. A failing
// message stays at the head of its lane and blocks the later ones until it goes through (never reordered);
// it is retried with backoff. Only a message the controller refuses for good (a non-retryable
// ChannelDeliveryError) or whose lane left the lanes file is set aside as failed, so the lane moves on.
// Woken at once after a step wrote messages; polls as a backstop (after a restart, for retries).
// Leases are short and renewed by a heartbeat while a lane is being delivered (src/lease-heartbeat.ts): the
// lanes of a worker that died are taken over within about one lease, and a holder whose lease was taken over
// writes nothing more to that message (every write is fenced by the lease end it holds).
import type { Clock } from '../clock';
import { createLeaseHeartbeat } from '../lease-heartbeat';
import { scrubString, type Logger } from '../log';
import type { LaneRegistry } from '../lanes/lane';
import { backoffDelayMs, type BackoffPolicy } from '../backoff';
import { ChannelDeliveryError } from '../channels/channel';
import type { ChannelRegistry } from '../channels/registry';
import { Wakeup } from '../queue/wakeup';
import {
  claimDueHeads,
  claimLaneHead,
  markDelivered,
  markDeliveredClaimNext,
  markFailed,
  markRetry,
  pruneDelivered,
  releaseHead,
  renewHeadLease,
  type OutboxEntry,
} from '../store/outbox-repo';
import type { Sql } from '../store/sql';

export interface OutboxDispatcherOptions {
  readonly db: Sql;
  readonly channels: Pick<ChannelRegistry, 'channelFor'>;
  readonly lanes: () => LaneRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Backstop poll, in ms. Default 1 000. */
  readonly pollIntervalMs?: number;
  /** Delay before retrying a lane's failed head, in ms. Default 1 s doubling to 5 min. */
  readonly backoff?: BackoffPolicy;
  /** Lanes delivered at the same time. Default 8. */
  readonly concurrency?: number;
  /**
   * How long a head stays leased to this dispatcher past its last renewal, in ms: a dead dispatcher's lanes
   * are taken over about this long after it died. Default 15 000 (WORKER_LEASE_S).
   */
  readonly leaseMs?: number;
  /** How often the leases of the heads being sent are renewed, in ms. Default a third of leaseMs. */
  readonly heartbeatMs?: number;
  /** Delivered messages are kept this long for diagnostics, in ms. Default 7 days. */
  readonly retentionMs?: number;
  readonly random?: () => number;
}

export interface OutboxDispatcher {
  start(): void;
  /** Stops polling, aborts sends in flight and waits for the lanes being delivered. Idempotent. */
  stop(): Promise<void>;
  /** Look for messages now (called after a step committed some). */
  wake(): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_OUTBOX_LEASE_MS = 15_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Stored as last_error and logged: name, code and message, with registered secrets scrubbed. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return scrubString(String(err));
  const code = (err as { code?: unknown }).code;
  const label = typeof code === 'string' ? `${err.name} (${code})` : err.name;
  return scrubString(`${label}: ${err.message}`).slice(0, 500);
}

export function createOutboxDispatcher(o: OutboxDispatcherOptions): OutboxDispatcher {
  const pollIntervalMs = o.pollIntervalMs ?? 1_000;
  const backoff = o.backoff ?? { baseMs: 1_000, maxMs: 300_000 };
  const concurrency = o.concurrency ?? 8;
  const leaseMs = o.leaseMs ?? DEFAULT_OUTBOX_LEASE_MS;
  const leases = createLeaseHeartbeat({
    clock: o.clock,
    logger: o.logger,
    leaseMs,
    intervalMs: o.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)),
    renew: (id, from, to) => renewHeadLease(o.db, id, from, to),
    what: 'lane message',
  });
  const retentionMs = o.retentionMs ?? 7 * DAY_MS;
  const random = o.random ?? Math.random;
  const wakeup = new Wakeup();
  const busy = new Map<string, Promise<void>>();
  const abort = new AbortController();
  let loop: Promise<void> | undefined;
  let nextPruneAt = 0;

  /** Sends a leased head. 'sent' leaves recording the delivery to the caller; the rest is recorded here. */
  /**
   * Sends a leased head. 'sent' leaves recording the delivery to the caller with the returned fence; the rest
   * is recorded here. 'lost': the lease was taken over meanwhile, so nothing is recorded and the lane stops.
   */
  async function send(
    entry: OutboxEntry,
  ): Promise<{ outcome: 'sent' | 'set-aside'; heldUntil: Date } | { outcome: 'retry-later' | 'lost' }> {
    const now = (): Date => o.clock.now();
    const lane = o.lanes().byId(entry.laneId);
    const fields = { messageId: entry.id, laneId: entry.laneId, type: entry.message.type };
    if (!lane) {
      const heldUntil = await leases.release(entry.id);
      if (!heldUntil) return { outcome: 'lost' };
      await markFailed(o.db, entry.id, now(), 'the lane is no longer in the lanes file', heldUntil);
      o.logger.warn('lane message dropped: lane no longer configured', fields);
      return { outcome: 'set-aside', heldUntil };
    }
    let failure: unknown;
    try {
      await o.channels.channelFor(lane).send(entry.message, abort.signal);
    } catch (err) {
      failure = err ?? new Error('channel send failed');
    }
    // Renewals stop here: the lease end is the fence of this message's last write.
    const heldUntil = await leases.release(entry.id);
    if (!heldUntil) return { outcome: 'lost' };
    if (failure === undefined) return { outcome: 'sent', heldUntil };
    const error = describe(failure);
    if (failure instanceof ChannelDeliveryError && !failure.retryable) {
      await markFailed(o.db, entry.id, now(), error, heldUntil);
      o.logger.error('lane message refused by the controller; skipped', { ...fields, error });
      return { outcome: 'set-aside', heldUntil };
    }
    const delayMs = backoffDelayMs(entry.attempts + 1, backoff, random);
    await markRetry(o.db, entry.id, new Date(now().getTime() + delayMs), error, heldUntil);
    if (!abort.signal.aborted)
      o.logger.warn('lane message not delivered; the lane waits', { ...fields, delayMs, error });
    return { outcome: 'retry-later' };
  }

  /** Sends the lane's messages from its leased head on, one at a time, until none is due or one fails. */
  async function deliverLane(first: OutboxEntry): Promise<void> {
    let head: OutboxEntry | null = first;
    while (head) {
      if (abort.signal.aborted) {
        const heldUntil = await leases.release(head.id);
        return heldUntil ? releaseHead(o.db, head.id, heldUntil) : undefined;
      }
      const sent = await send(head);
      if (sent.outcome === 'retry-later') return;
      if (sent.outcome === 'lost') {
        o.logger.warn('lane message lease taken over while sending; its new holder delivers it', {
          messageId: head.id,
          laneId: head.laneId,
        });
        return;
      }
      const now = o.clock.now();
      if (abort.signal.aborted)
        return sent.outcome === 'sent' ? markDelivered(o.db, head.id, now, sent.heldUntil) : undefined;
      const leaseUntil = new Date(now.getTime() + leaseMs);
      head =
        sent.outcome === 'sent'
          ? await markDeliveredClaimNext(o.db, head.id, now, leaseUntil, sent.heldUntil)
          : await claimLaneHead(o.db, head.laneId, now, leaseUntil);
      if (head) leases.hold(head.id, leaseUntil);
    }
  }

  function startLane(head: OutboxEntry): void {
    const { laneId } = head;
    const task = deliverLane(head)
      .catch((err: unknown) => {
        o.logger.error('outbox delivery failed', { laneId, error: describe(err) });
      })
      .finally(() => {
        busy.delete(laneId);
        wakeup.notify();
      });
    busy.set(laneId, task);
  }

  async function pass(): Promise<void> {
    const now = o.clock.now();
    if (now.getTime() >= nextPruneAt) {
      nextPruneAt = now.getTime() + PRUNE_EVERY_MS;
      await pruneDelivered(o.db, new Date(now.getTime() - retentionMs));
    }
    const free = concurrency - busy.size;
    if (free <= 0) return;
    const leaseUntil = new Date(now.getTime() + leaseMs);
    // Busy lanes are left out, so every head leased here starts its lane.
    for (const head of await claimDueHeads(o.db, now, free, [...busy.keys()], leaseUntil)) {
      leases.hold(head.id, leaseUntil);
      startLane(head);
    }
  }

  async function run(): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        await pass();
      } catch (err) {
        o.logger.error('outbox pass failed', { error: describe(err) });
      }
      await wakeup.wait(pollIntervalMs);
    }
    await Promise.all(busy.values());
    leases.stop();
  }

  return {
    start() {
      loop ??= run();
    },
    async stop() {
      abort.abort(new Error('outbox dispatcher stopping'));
      wakeup.notify();
      await (loop ?? Promise.all(busy.values()));
    },
    wake() {
      wakeup.notify();
    },
  };
}
