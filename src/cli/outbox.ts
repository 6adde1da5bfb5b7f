// `checkin-gateway outbox list | retry <lane>` (issue 14): each lane's lane-message backlog, and making a
// lane's held messages due now, through the running gateway's admin API (src/admin/outbox-routes.ts).
import type { LaneBacklog } from '../admin/outbox';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from './command';
import { age } from './payments/format';
import { callAdmin, orAdminError, problemText, table } from './dead-letters-admin';

export const outboxListCommand: Command = {
  name: 'outbox list',
  summary: "Each lane's undelivered lane messages: count, oldest age, the head's last error and next attempt",
  usage: 'outbox list [--lane ID] [--json]',
  options: { lane: { type: 'string' }, json: { type: 'boolean' } },
  run: ({ values }, io) =>
    orAdminError(io, async () => {
      const lane = typeof values['lane'] === 'string' ? `?lane=${encodeURIComponent(values['lane'])}` : '';
      const answer = await callAdmin(io, 'GET', `/admin/v1/outbox${lane}`);
      if (answer.status === 400) throw new UsageError(problemText(answer));
      if (answer.status !== 200) {
        io.err(`the running gateway answered ${problemText(answer)}`);
        return EXIT_FAILURE;
      }
      const { lanes } = answer.body as { lanes: LaneBacklog[] };
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
    }),
};

export const outboxRetryCommand: Command = {
  name: 'outbox retry',
  summary: "Make a lane's held lane messages due now (after its controller is back)",
  usage: 'outbox retry <lane>',
  run: ({ positionals }, io) =>
    orAdminError(io, async () => {
      const [laneId, ...rest] = positionals;
      if (!laneId || rest.length > 0) throw new UsageError('give one lane id');
      const answer = await callAdmin(io, 'POST', `/admin/v1/outbox/${encodeURIComponent(laneId)}/retry`);
      if (answer.status === 400) throw new UsageError(problemText(answer));
      if (answer.status !== 200) {
        io.err(problemText(answer));
        return EXIT_FAILURE;
      }
      const { due } = answer.body as { due: number };
      io.out(
        `${laneId}: ${due === 0 ? 'no held message; the lane is being delivered' : `${due} held message(s) due now`}`,
      );
      return EXIT_OK;
    }),
};

export const outboxCommands: readonly Command[] = [outboxListCommand, outboxRetryCommand];
