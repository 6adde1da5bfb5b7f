// `checkin-gateway outbox list | retry <lane>` (issue 14): each lane's lane-message backlog, and making a
// lane's held messages due now, through the running gateway's admin API (src/admin/outbox-routes.ts) or, with
// none running, on the store (dead-letters-admin.ts).
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from './command';
import { age } from './payments/format';
import { table, withDeadLetterBackend } from './dead-letters-admin';

export const outboxListCommand: Command = {
  name: 'outbox list',
  summary: "Each lane's undelivered lane messages: count, oldest age, the head's last error and next attempt",
  usage: 'outbox list [--lane ID] [--json]',
  options: { lane: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const laneId = typeof values['lane'] === 'string' ? values['lane'] : undefined;
    const lanes = await withDeadLetterBackend(io.env, (b) => b.outbox(laneId));
    if (values['json']) {
      io.out(JSON.stringify(lanes, null, 2));
      return EXIT_OK;
    }
    io.out(
      lanes.length === 0
        ? 'no lane messages waiting'
        : table(
            ['LANE', 'PENDING', 'OLDEST', 'ATTEMPTS', 'NEXT ATTEMPT', 'FAILED', 'LAST ERROR'],
            lanes.map((l) => [
              l.laneId,
              String(l.pending),
              l.oldestUndeliveredAgeS === null ? '-' : age(l.oldestUndeliveredAgeS),
              String(l.attempts),
              l.nextAttemptAt ?? '-',
              String(l.failed),
              l.lastError ?? '-',
            ]),
          ),
    );
    return EXIT_OK;
  },
};

const LANE_ID = /^[A-Za-z0-9_-]{1,64}$/; // as the lanes file allows (validate-lane.ts)

export const outboxRetryCommand: Command = {
  name: 'outbox retry',
  summary: "Make a lane's held lane messages due now (after its controller is back)",
  usage: 'outbox retry <lane>',
  async run({ positionals }, io) {
    const [laneId, ...rest] = positionals;
    if (!laneId || rest.length > 0) throw new UsageError('give one lane id');
    if (!LANE_ID.test(laneId)) throw new UsageError('a lane id is 1-64 of A-Z a-z 0-9 _ -');
    const r = await withDeadLetterBackend(io.env, (b) => b.retry(laneId));
    if (r.outcome === 'not_found') {
      io.err(`lane ${laneId} is not in the lanes file and has no lane messages waiting`);
      return EXIT_FAILURE;
    }
    io.out(
      `${laneId}: ${r.due === 0 ? 'no held message; the lane is being delivered' : `${r.due} held message(s) due now`}`,
    );
    return EXIT_OK;
  },
};

export const outboxCommands: readonly Command[] = [outboxListCommand, outboxRetryCommand];
