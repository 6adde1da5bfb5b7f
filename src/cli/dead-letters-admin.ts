// Where `dead-letters …` and `outbox …` do their work (architecture §4): through the running gateway's admin
// API when one owns the embedded DATA_DIR (found and authenticated as the other CLI commands do,
// src/admin/cli-access.ts), otherwise on the store and queue directly — the embedded directory when nobody
// holds it, or the Postgres server and SQS of the AWS profile — with the lanes file as it is on disk. Both
// run the same services (src/admin/dead-letters.ts, outbox.ts), so the answers are the same.
import { adminJson, AdminAnswerError, findRunningAdmin, type RunningAdmin } from '../admin/cli-access';
import { createDeadLetterService, DeadLetterQueryError } from '../admin/dead-letters';
import type {
  DeadLetterCounts,
  DeadLetterPage,
  DeadLetterQuery,
  DiscardResult,
  ReplayResult,
} from '../admin/dead-letters-types';
import { createOutboxService, type LaneBacklog, type RetryResult } from '../admin/outbox';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { loadLanesFile } from '../lanes/load';
import { createLaneRegistry } from '../lanes/registry';
import { silentLogger } from '../log';
import { openAdapters } from '../runtime/adapters';
import { UsageError } from './command';

export interface DeadLetterBackend {
  list(q: DeadLetterQuery): Promise<DeadLetterPage & { counts: DeadLetterCounts }>;
  replay(ids: readonly string[]): Promise<ReplayResult[]>;
  discard(ids: readonly string[]): Promise<DiscardResult[]>;
  outbox(laneId: string | undefined): Promise<LaneBacklog[]>;
  retry(laneId: string): Promise<RetryResult>;
}

/** The audit's operator label for actions taken by the CLI straight on the store. */
export const LOCAL_CLI_OPERATOR = 'cli';

function query(q: DeadLetterQuery): string {
  const params = new URLSearchParams();
  for (const [name, v] of [
    ['kind', q.kind],
    ['lane', q.laneId],
    ['state', q.state],
    ['limit', q.limit],
    ['cursor', q.cursor],
  ] as const)
    if (v !== undefined) params.set(name, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function remote(admin: RunningAdmin): DeadLetterBackend {
  const results = async <R>(action: string, ids: readonly string[]) =>
    (await adminJson<{ results: R[] }>(admin, 'POST', `/admin/v1/dead-letters/${action}`, { ids })).results;
  return {
    list: (q) => adminJson(admin, 'GET', `/admin/v1/dead-letters${query(q)}`),
    replay: (ids) => results<ReplayResult>('replay', ids),
    discard: (ids) => results<DiscardResult>('discard', ids),
    outbox: async (laneId) =>
      (
        await adminJson<{ lanes: LaneBacklog[] }>(
          admin,
          'GET',
          `/admin/v1/outbox${laneId === undefined ? '' : `?lane=${encodeURIComponent(laneId)}`}`,
        )
      ).lanes,
    async retry(laneId) {
      try {
        return await adminJson<RetryResult>(
          admin,
          'POST',
          `/admin/v1/outbox/${encodeURIComponent(laneId)}/retry`,
        );
      } catch (err) {
        if (err instanceof AdminAnswerError && err.status === 404) return { laneId, outcome: 'not_found' };
        throw err;
      }
    },
  };
}

/** Runs fn on the backend; a request the gateway or the service refuses (400) is a usage error. */
export async function withDeadLetterBackend<T>(
  env: Readonly<Record<string, string | undefined>>,
  fn: (backend: DeadLetterBackend) => Promise<T>,
): Promise<T> {
  const config = loadConfig(env, { requireWebhookSecrets: false });
  const refusedAsUsage = async (run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof DeadLetterQueryError) throw new UsageError(err.message);
      if (err instanceof AdminAnswerError && err.status === 400) throw new UsageError(err.message);
      throw err;
    }
  };
  const admin = await findRunningAdmin(config);
  if (admin) return refusedAsUsage(() => fn(remote(admin)));

  const clock = systemClock;
  const logger = silentLogger();
  const lanes = createLaneRegistry(await loadLanesFile(config.lanesFile));
  const adapters = await openAdapters(config, clock, logger);
  try {
    const db = adapters.store.db;
    const audit = { db, clock, logger };
    const deadLetters = createDeadLetterService({
      db,
      clock,
      lanes: () => lanes,
      queue: adapters.queue,
      checkinMaxAgeS: config.checkinMaxAgeS,
      resolveReference: (reference) => Promise.resolve(lanes.laneIdForReference(reference)),
      audit,
    });
    const outbox = createOutboxService({ db, clock, lanes: () => lanes, audit });
    return await refusedAsUsage(() =>
      fn({
        list: async (q) => ({ ...(await deadLetters.list(q)), counts: await deadLetters.counts() }),
        replay: (ids) => deadLetters.replay(ids, LOCAL_CLI_OPERATOR),
        discard: (ids) => deadLetters.discard(ids, LOCAL_CLI_OPERATOR),
        outbox: (laneId) => outbox.list({ laneId }),
        retry: (laneId) => outbox.retry(laneId, LOCAL_CLI_OPERATOR),
      }),
    );
  } finally {
    await adapters.close();
  }
}

/** A plain text table: a header row and left-aligned columns two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
