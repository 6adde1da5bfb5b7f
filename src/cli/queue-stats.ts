// `queue stats`: asks the running gateway's admin endpoint when one owns DATA_DIR (PGlite must have one
// owner, architecture §4), otherwise opens the directory itself.
import { loadConfig } from '../config';
import { silentLogger } from '../log';
import { systemClock } from '../clock';
import { authHeaders, findRunningAdmin } from '../admin/cli-access';
import { openEmbeddedStore } from '../store/open-embedded';
import { PostgresQueue } from '../queue/postgres-queue';
import { formatQueueStats } from '../queue/queue-stats';
import type { QueueStats } from '../queue/queue';
import { EXIT_FAILURE, EXIT_OK, type Command } from './command';

export const queueStatsCommand: Command = {
  name: 'queue stats',
  summary: 'Print queue depth by state as JSON: ready, inFlight, delayed, dead',
  usage: 'queue stats',
  async run(_args, io) {
    const config = loadConfig(io.env);
    const holder = await findRunningAdmin(config);
    if (holder) {
      const res = await fetch(`${holder.url}/admin/queue/stats`, { headers: authHeaders(holder.token) });
      if (!res.ok) {
        io.err(`the running gateway (pid ${holder.pid}) answered ${res.status} at ${holder.url}`);
        return EXIT_FAILURE;
      }
      io.out(formatQueueStats((await res.json()) as QueueStats));
      return EXIT_OK;
    }
    const store = await openEmbeddedStore(config.dataDir);
    try {
      const queue = new PostgresQueue({
        sql: store.db,
        clock: systemClock,
        logger: silentLogger(),
        maxAttempts: config.queueMaxAttempts,
        backoff: { baseMs: 1000, maxMs: 60_000 },
      });
      io.out(formatQueueStats(await queue.stats()));
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};
