// `checkin-gateway dead-letters list | replay <id>… | discard <id>…` (issue 14): the running gateway's dead
// letters through its admin API (/admin/v1/dead-letters, src/admin/dead-letters-routes.ts). A replay runs in
// the gateway (or, with none running, on the store: dead-letters-admin.ts), through intake's dedup and
// staleness rules; nothing here sees a customer token.
import {
  DEAD_LETTER_KINDS,
  DEAD_LETTER_STATES,
  type DeadLetter,
  type DeadLetterQuery,
  type DiscardResult,
  type ReplayResult,
} from '../admin/dead-letters-types';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type Io } from './command';
import { age } from './payments/format';
import { table, withDeadLetterBackend } from './dead-letters-admin';

function letterTable(letters: readonly DeadLetter[], now: number): string {
  return table(
    ['ID', 'KIND', 'AGE', 'LANE', 'TYPE', 'REASON', 'STATE', 'REPLAY BEFORE'],
    letters.map((l) => [
      l.id,
      l.kind,
      age(Math.max(0, Math.round((now - Date.parse(l.at)) / 1000))),
      l.laneId ?? (l.qr ? `? (qr ${l.qr.msn}/${l.qr.merchantQrId})` : '-'),
      l.eventType ?? '-',
      l.reason,
      l.state === 'open' ? 'open' : `${l.state} by ${l.resolvedBy ?? '?'}`,
      l.replayableUntil ?? '-',
    ]),
  );
}

function oneOf<T extends string>(
  values: Record<string, unknown>,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (!(allowed as readonly unknown[]).includes(v))
    throw new UsageError(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function listQuery(values: Record<string, unknown>): DeadLetterQuery {
  const limit = values['limit'];
  if (
    limit !== undefined &&
    !(typeof limit === 'string' && /^\d+$/.test(limit) && +limit >= 1 && +limit <= 500)
  )
    throw new UsageError('limit must be an integer from 1 to 500');
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return {
    kind: oneOf(values, 'kind', DEAD_LETTER_KINDS),
    laneId: text('lane'),
    state: oneOf(values, 'state', [...DEAD_LETTER_STATES, 'all'] as const),
    limit: limit === undefined ? undefined : Number(limit),
    cursor: text('cursor'),
  };
}

export const deadLettersListCommand: Command = {
  name: 'dead-letters list',
  summary: 'List dead letters (intake drops, dead jobs, undelivered lane messages), newest first',
  usage:
    'dead-letters list [--kind intake|job|lane-message] [--lane ID] [--state open|replayed|stale|discarded|all] [--limit N] [--cursor C] [--json]',
  options: {
    kind: { type: 'string' },
    lane: { type: 'string' },
    state: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const q = listQuery(values);
    const page = await withDeadLetterBackend(io.env, (b) => b.list(q));
    if (values['json']) {
      io.out(JSON.stringify(page, null, 2));
      return EXIT_OK;
    }
    const c = page.counts;
    io.out(page.deadLetters.length === 0 ? 'no dead letters' : letterTable(page.deadLetters, Date.now()));
    io.out(`open: ${c.intake} intake, ${c.job} job, ${c['lane-message']} lane-message`);
    if (page.nextCursor) io.out(`more: dead-letters list --cursor ${page.nextCursor}`);
    if (page.partial)
      io.out(
        'partial: the SQS dead-letter queue shows each lane its oldest dead jobs first; replay or discard them to see the rest',
      );
    return EXIT_OK;
  },
};

/** What each outcome says, one line per id. */
const SAYS: Record<string, string> = {
  replayed: 'replayed',
  duplicate: 'already queued by another delivery; nothing new queued',
  stale: 'stale: the customer token expired or the check-in is too old; recorded, nothing queued',
  still_dropped: 'still dropped by intake',
  not_replayable: 'not replayable: intake could not parse the body',
  not_found: 'no such dead letter',
  already_replayed: 'already replayed',
  already_stale: 'already recorded stale',
  already_discarded: 'already discarded',
  discarded: 'discarded',
};

function resultLine(r: ReplayResult | DiscardResult): string {
  const extra = [
    r.jobId ? `job ${r.jobId}` : '',
    r.reason ? `(${r.reason})` : '',
    r.resolvedBy ? `by ${r.resolvedBy} at ${r.resolvedAt ?? '?'}` : '',
  ].filter(Boolean);
  return [`${r.id}`, SAYS[r.outcome] ?? r.outcome, ...extra].join('  ');
}

function actionCommand(action: 'replay' | 'discard', ok: readonly string[], summary: string): Command {
  return {
    name: `dead-letters ${action}`,
    summary,
    usage: `dead-letters ${action} <id>… [--json]`,
    options: { json: { type: 'boolean' } },
    async run({ values, positionals }, io: Io) {
      if (positionals.length === 0)
        throw new UsageError('give one or more dead-letter ids (see `dead-letters list`)');
      const results = await withDeadLetterBackend<(ReplayResult | DiscardResult)[]>(io.env, (b) =>
        action === 'replay' ? b.replay(positionals) : b.discard(positionals),
      );
      io.out(values['json'] ? JSON.stringify(results, null, 2) : results.map(resultLine).join('\n'));
      return results.every((r) => ok.includes(r.outcome)) ? EXIT_OK : EXIT_FAILURE;
    },
  };
}

export const deadLettersReplayCommand = actionCommand(
  'replay',
  ['replayed', 'duplicate', 'already_replayed'],
  'Replay dead letters through intake/queue again (same dedup and staleness rules as a live delivery)',
);

export const deadLettersDiscardCommand = actionCommand(
  'discard',
  ['discarded', 'already_discarded'],
  'Discard dead letters: kept for the record, hidden from the list',
);

export const deadLettersCommands: readonly Command[] = [
  deadLettersListCommand,
  deadLettersReplayCommand,
  deadLettersDiscardCommand,
];
