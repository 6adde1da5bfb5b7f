// What `checkin-gateway queue stats` prints: one JSON line, keys in a fixed order, so scripts can parse it
// and people can diff it.
import type { QueueStats } from './queue';

export function formatQueueStats(stats: QueueStats): string {
  return JSON.stringify({
    ready: stats.ready,
    inFlight: stats.inFlight,
    delayed: stats.delayed,
    dead: stats.dead,
  });
}
