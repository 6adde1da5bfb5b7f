// Outbox leases (issue 13): a head being sent stays leased past its lease length while its holder is alive
// (the heartbeat), and is taken over about one lease after its holder stopped renewing, without the old
// holder's late outcome overwriting the new holder's work. Lease expiry runs on an injected clock; the
// heartbeat's own timer runs in real time, so each test chooses whether it fires.
import { FakeClock } from '../../src/clock';
import { ChannelDeliveryError, type LaneChannel } from '../../src/channels/channel';
import type { Lane } from '../../src/lanes/lane';
import { createLaneRegistry } from '../../src/lanes/registry';
import { silentLogger } from '../../src/log';
import type { LaneMessage } from '../../src/sessions/lane-message';
import { createOutboxDispatcher, type OutboxDispatcher } from '../../src/sessions/outbox-dispatcher';
import { addToOutbox, listOutbox } from '../../src/store/outbox-repo';
import type { Database } from '../../src/store/sql';
import { deferred, type Deferred } from '../queue/queue-test-helpers';
import { openTestDatabase, truncateAll } from '../support/db';
import { waitFor } from '../support/wait-for';
import { sessionMessages } from './session-messages';

const LANE: Lane = {
  id: 'lane-a',
  kind: 'self-checkout',
  msn: '123456',
  merchantQrId: 'qr-lane-a',
  description: 'Lane a',
  currency: 'NOK',
  fixedAmount: 100,
  enabled: true,
  controller: { type: 'log' },
} as Lane;

/** The session's checked-in and payment-requested messages. */
function laneMessages(): LaneMessage[] {
  return sessionMessages(LANE.id, `s_${'7'.repeat(32)}`).slice(0, 2);
}

/** A channel that records what it sent; the first send waits for `gate` when one is given. */
function recordingChannel(gate?: Deferred<void>): LaneChannel & { sent: string[]; started: Deferred<void> } {
  const started = deferred();
  const sent: string[] = [];
  return {
    sent,
    started,
    async send(message) {
      started.resolve();
      if (gate && sent.length === 0) await gate.promise;
      sent.push(message.id);
    },
  };
}

/** Counts this dispatcher's claim passes, so a test can wait for one to have run without sleeping. */
function countingClaims(db: Database): { db: Database; claims: () => number } {
  let claims = 0;
  const query = (async (text: string, params?: readonly unknown[]) => {
    const r = await db.query(text, params);
    if (text.includes('UPDATE outbox o SET lease_until')) claims += 1;
    return r;
  }) as Database['query'];
  return { db: { ...db, query }, claims: () => claims };
}

let db: Database;
const running: OutboxDispatcher[] = [];
const clock = new FakeClock();

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
  await truncateAll(db);
});

function dispatch(
  channel: LaneChannel,
  lease: { leaseMs: number; heartbeatMs: number },
  store: Database = db,
): OutboxDispatcher {
  const registry = createLaneRegistry([LANE]);
  const d = createOutboxDispatcher({
    db: store,
    channels: { channelFor: () => channel },
    lanes: () => registry,
    clock,
    logger: silentLogger(),
    pollIntervalMs: 10,
    backoff: { baseMs: 10, maxMs: 40 },
    ...lease,
  });
  running.push(d);
  d.start();
  return d;
}

async function leaseUntil(id: string): Promise<number | null> {
  const { rows } = await db.query<{ lease_until: Date | null }>(
    'SELECT lease_until FROM outbox WHERE id = $1',
    [id],
  );
  return rows[0]?.lease_until?.getTime() ?? null;
}

it('renews the lease of a head whose send outlasts the lease, so a second dispatcher does not send it too', async () => {
  const [first, second] = laneMessages() as [LaneMessage, LaneMessage];
  await addToOutbox(db, [first, second], clock.now());
  const gate = deferred();
  const holder = recordingChannel(gate);
  dispatch(holder, { leaseMs: 1_000, heartbeatMs: 10 });
  await holder.started.promise;

  // Five lease lengths pass while the send hangs; the heartbeat moves the lease past the new now.
  clock.advance(5_000);
  await waitFor(async () => ((await leaseUntil(first.id)) ?? 0) > clock.now().getTime(), {
    what: 'the heartbeat to renew the lease past now',
  });

  const other = recordingChannel();
  const counted = countingClaims(db);
  dispatch(other, { leaseMs: 1_000, heartbeatMs: 10 }, counted.db);
  await waitFor(() => counted.claims() >= 3, { what: 'three claim passes of the second dispatcher' });
  expect(other.sent).toEqual([]);

  gate.resolve();
  const rows = await waitFor(async () => {
    const all = await listOutbox(db);
    return all.every((r) => r.deliveredAt) ? all : null;
  });
  expect(holder.sent).toEqual([first.id, second.id]);
  expect(other.sent).toEqual([]);
  expect(rows.map((r) => r.attempts)).toEqual([0, 0]);
});

it('is taken over one lease after its holder stopped renewing; the old holder then writes nothing', async () => {
  const [first, second] = laneMessages() as [LaneMessage, LaneMessage];
  await addToOutbox(db, [first, second], clock.now());
  const gate = deferred();
  // The holder's heartbeat never fires within the test: like a process that died mid-send.
  const dead = recordingChannel(gate);
  dispatch(dead, { leaseMs: 60_000, heartbeatMs: 59_000 });
  await dead.started.promise;

  const heir = recordingChannel();
  const counted = countingClaims(db);
  clock.advance(59_999);
  dispatch(heir, { leaseMs: 60_000, heartbeatMs: 10 }, counted.db);
  await waitFor(() => counted.claims() >= 2, { what: 'two claim passes before the lease ends' });
  expect(heir.sent).toEqual([]);

  clock.advance(1);
  await waitFor(() => heir.sent.length === 2, { what: 'the second dispatcher to take the lane over' });
  expect(heir.sent).toEqual([first.id, second.id]);

  // The old holder's send now fails: its retry must not count an attempt on (or unlease) the heir's row.
  gate.reject(
    new ChannelDeliveryError('webhook_unavailable', 'late failure', true, {
      laneId: LANE.id,
      messageId: first.id,
      attempts: 1,
    }),
  );
  await running[0]?.stop(); // waits for the old holder's lane to finish
  const rows = await waitFor(async () => {
    const all = await listOutbox(db);
    return all.every((r) => r.deliveredAt) ? all : null;
  });
  expect(dead.sent).toEqual([]);
  expect(rows.map((r) => [r.id, r.deliveredAt !== null, r.attempts, r.lastError])).toEqual([
    [first.id, true, 0, null],
    [second.id, true, 0, null],
  ]);
});
