// How the gateway mounts the pay page (main.ts): PUBLIC_BASE_URL, or in the sandbox the bound port's own URL;
// startLaneSession over the gateway's store, queue and lanes; a page-token key every instance shares.
import { createHash } from 'node:crypto';
import type { Router } from 'express';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { LaneRegistry } from '../lanes/lane';
import type { Logger } from '../log';
import type { Queue } from '../queue/queue';
import { startLaneSession } from '../sessions/lane-start';
import type { Sql } from '../store/sql';
import { createPayRouter, type PayPageLimits } from './routes';

export interface PayMount {
  readonly config: Config;
  readonly boundPort: number;
  readonly db: Sql;
  readonly queue: Pick<Queue, 'enqueue'>;
  readonly lanes: () => LaneRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The embedded emulator's URL: its http:// landing page is where the sandbox's pay form ends up. */
  readonly emulatorUrl?: string | undefined;
  readonly limits?: PayPageLimits | undefined;
}

/** The base customers reach the gateway at, or undefined (no PUBLIC_BASE_URL outside the sandbox: no page). */
export function payBaseUrl(config: Config, boundPort: number): URL | undefined {
  return config.publicBaseUrlDefaulted ? new URL(`http://127.0.0.1:${boundPort}/`) : config.publicBaseUrl;
}

export function payRouterFor(m: PayMount): Router | undefined {
  const publicBaseUrl = payBaseUrl(m.config, m.boundPort);
  if (!publicBaseUrl) return undefined;
  const vippsBase = m.emulatorUrl ?? m.config.vipps.baseUrl;
  const formTargets = vippsBase.startsWith('http:') ? [new URL(vippsBase).origin] : [];
  // Secrets every instance of one deployment shares; none (the sandbox) = a random key for this process.
  const shared = [...m.config.webhookSecrets, m.config.vipps.clientSecret ?? ''].filter((s) => s !== '');
  const tokenKey =
    shared.length === 0
      ? undefined
      : createHash('sha256')
          .update(`pay-page-token\n${shared.join('\n')}`)
          .digest();
  return createPayRouter({
    db: m.db,
    lanes: m.lanes,
    start: (laneId, req) =>
      startLaneSession({ db: m.db, queue: m.queue, lanes: m.lanes, clock: m.clock }, laneId, req),
    publicBaseUrl,
    formTargets,
    clock: m.clock,
    logger: m.logger,
    ...(tokenKey ? { tokenKey } : {}),
    ...(m.limits ? { limits: m.limits } : {}),
  });
}
