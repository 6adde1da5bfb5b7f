// `sessions list`: sessions newest first, filtered by lane, state and time; --cursor pages on.
import { withAdminReads } from '../admin/cli-reads';
import { SESSION_STATE_FILTERS } from '../admin/routes-sessions';
import { MAX_LIMIT } from '../admin/sessions-query';
import type { SessionSummary } from '../admin/types';
import { loadConfig } from '../config';
import { moneyText } from '../money-text';
import { EXIT_OK, UsageError, type Command } from './command';
import { instant, positiveInt } from './option-values';
import { age } from './payments/format';
import { alignedTable } from './table';

export function sessionsTable(rows: readonly SessionSummary[]): string {
  return alignedTable(
    ['SESSION', 'LANE', 'STATE', 'REASON', 'AMOUNT', 'CAPTURED', 'CREATED', 'AGE'],
    rows.map((s) => [
      s.id,
      s.laneId,
      s.state,
      s.reason ?? '-',
      s.amount === null ? '-' : moneyText(s.amount, s.currency ?? 'NOK'),
      s.captured === 0 ? '-' : moneyText(s.captured, s.currency ?? 'NOK'),
      s.createdAt,
      age(s.ageS),
    ]),
  );
}

export const sessionsListCommand: Command = {
  name: 'sessions list',
  summary: 'Sessions newest first, by lane, state (or active) and time',
  usage:
    'sessions list [--lane ID] [--state STATE|active] [--from ISO] [--to ISO] [--limit N] [--cursor C] [--json]',
  options: {
    lane: { type: 'string' },
    state: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const state = values['state'];
    if (state !== undefined && !(SESSION_STATE_FILTERS as readonly unknown[]).includes(state))
      throw new UsageError(`--state must be one of ${SESSION_STATE_FILTERS.join(', ')}`);
    const from = instant(values, 'from');
    const to = instant(values, 'to');
    const limit = positiveInt(values, 'limit', MAX_LIMIT);
    const laneId = typeof values['lane'] === 'string' ? values['lane'] : undefined;
    const cursor = typeof values['cursor'] === 'string' ? values['cursor'] : undefined;
    const config = loadConfig(io.env, { requireWebhookSecrets: false });
    const page = await withAdminReads(config, (reads) =>
      reads.sessions({
        ...(laneId ? { laneId } : {}),
        ...(typeof state === 'string' ? { state } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(limit ? { limit } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    );
    if (values['json']) {
      io.out(JSON.stringify(page, null, 2));
      return EXIT_OK;
    }
    io.out(page.items.length === 0 ? 'no sessions' : sessionsTable(page.items));
    if (page.nextCursor) io.out(`more: --cursor ${page.nextCursor}`);
    return EXIT_OK;
  },
};
