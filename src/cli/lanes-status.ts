// `lanes status`: the fleet as the admin API sees it — state, current session and its age, last outcome,
// today's sales, controller channel health — through the running gateway, or from the store when none runs.
import { withAdminReads } from '../admin/cli-reads';
import { MAX_PAGE_SIZE } from '../admin/lanes-query';
import type { LaneState, LaneSummary } from '../admin/types';
import { loadConfig } from '../config';
import { moneyText } from '../money-text';
import { EXIT_OK, UsageError, type Command } from './command';
import { positiveInt } from './option-values';
import { age } from './payments/format';
import { alignedTable } from './table';

const STATES: readonly LaneState[] = ['idle', 'busy', 'disabled'];

/** A positive integer option, or undefined when absent. */
export function lanesTable(lanes: readonly LaneSummary[]): string {
  return alignedTable(
    ['LANE', 'STATE', 'SESSION', 'AGE', 'LAST OUTCOME', 'TODAY', 'CHANNEL', 'BACKLOG', 'OLDEST'],
    lanes.map((l) => [
      l.id,
      l.state,
      l.currentSession ? `${l.currentSession.id} ${l.currentSession.state}` : '-',
      l.currentSession ? age(l.currentSession.ageS) : '-',
      l.lastOutcome
        ? `${l.lastOutcome.state}${l.lastOutcome.reason ? ` (${l.lastOutcome.reason})` : ''}`
        : '-',
      `${l.today.count} / ${moneyText(l.today.amount, l.today.currency)}`,
      l.channel.type,
      String(l.channel.backlog),
      l.channel.oldestUndeliveredAgeS === null ? '-' : age(l.channel.oldestUndeliveredAgeS),
    ]),
  );
}

export const lanesStatusCommand: Command = {
  name: 'lanes status',
  summary: "Every lane's state, current session, last outcome, today's sales and channel health",
  usage: 'lanes status [--search TEXT] [--state idle|busy|disabled] [--page N] [--page-size N] [--json]',
  options: {
    search: { type: 'string' },
    state: { type: 'string' },
    page: { type: 'string' },
    'page-size': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const state = values['state'];
    if (state !== undefined && !(STATES as readonly unknown[]).includes(state))
      throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
    const page = positiveInt(values, 'page', 1_000_000);
    const pageSize = positiveInt(values, 'page-size', MAX_PAGE_SIZE);
    const search = typeof values['search'] === 'string' ? values['search'] : undefined;
    const config = loadConfig(io.env, { requireWebhookSecrets: false });
    const result = await withAdminReads(config, (reads) =>
      reads.lanes({
        ...(search ? { q: search } : {}),
        ...(state ? { state: state as LaneState } : {}),
        ...(page ? { page } : {}),
        ...(pageSize ? { pageSize } : {}),
      }),
    );
    if (values['json']) {
      io.out(JSON.stringify(result, null, 2));
      return EXIT_OK;
    }
    if (result.items.length === 0) io.out('no lanes');
    else io.out(lanesTable(result.items));
    io.out(`page ${result.page} of ${result.pages} (${result.total} lanes)`);
    return EXIT_OK;
  },
};
