// The `channels` readiness entry (issue 13): a lane whose webhook `secretEnv` was unset kept `/readyz` green
// while its machine was never told about the money reserved. Lanes whose oldest pending lane message is older
// than CHANNEL_DEGRADED_AFTER_S are named as degraded; readiness itself stays 200 (the instance still takes
// webhooks, and taking it out of the load balancer would not deliver anything sooner).
import type { Clock } from '../clock';
import type { Degraded, ReadinessCheck } from '../http/health';
import { lanesUndeliveredSince } from '../store/outbox-repo';
import type { Sql } from '../store/sql';

/** At most this many lanes are listed: the body stays small when a whole fleet is behind. */
const LISTED = 50;

export function degradedChannelsCheck(sql: Sql, clock: Clock, afterS: number): ReadinessCheck {
  return {
    name: 'channels',
    async check(): Promise<Degraded | undefined> {
      const now = clock.now();
      let behind: Awaited<ReturnType<typeof lanesUndeliveredSince>>;
      try {
        behind = await lanesUndeliveredSince(sql, new Date(now.getTime() - afterS * 1000), LISTED);
      } catch (err) {
        // Never 503 for this: in the aws profile intake does not need the database (runtime/adapters.ts).
        return { degraded: `cannot read the outbox: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (behind.length === 0) return undefined;
      const lanes = behind.map((b) => ({
        laneId: b.laneId,
        undeliveredForS: Math.floor((now.getTime() - b.oldestAt.getTime()) / 1000),
      }));
      const more = behind.length === LISTED ? ' or more' : '';
      return {
        degraded: `${lanes.length}${more} lane${lanes.length === 1 ? '' : 's'} with a lane message undelivered for more than ${afterS} s`,
        detail: { afterS, lanes },
      };
    },
  };
}
