// AdminServices: every read (and the audited writes) the admin API, the console (src/admin/console/) and the
// dead-letter/outbox routes share. Built once in src/main.ts; routes and pages call these methods and never
// the store directly, so JSON and HTML show the same thing.
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { Metrics } from '../http/metrics';
import type { IndexedLaneRegistry } from '../lanes/lane';
import type { Queue } from '../queue/queue';
import type { PaymentsApi } from '../settlement/payments-api';
import type { Sql } from '../store/sql';
import type { VippsClient } from '../vipps/client';
import { audit, listAudit, type AuditEntry, type AuditPage, type AuditQuery } from './audit';
import type { VerifyOperatorToken } from './auth';
import { configSummary } from './config-summary';
import { MintError, mintControllerToken, type MintedToken } from './controller-token';
import { queryLane, queryLanes } from './lanes-query';
import { querySession, querySessions } from './sessions-query';
import type {
  ConfigSetting,
  LaneDetail,
  LaneSummary,
  LanesQuery,
  Page,
  SessionDetail,
  SessionsPage,
  SessionsQuery,
  WebhookHealth,
} from './types';
import { webhookHealth, type WebhookActivity } from './webhook-health';

/** The raw parts, for routers that need more than the typed reads (dead letters, outbox, console). */
export interface AdminDeps {
  readonly db: Sql;
  readonly queue: Queue;
  readonly lanes: () => IndexedLaneRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: Config;
  readonly vipps: VippsClient;
  readonly payments: PaymentsApi;
  /** The URL Vipps signs deliveries for (the bound port's in the sandbox). */
  readonly publicWebhookUrl: () => URL;
  readonly webhookActivity?: WebhookActivity;
  readonly verifyOperatorToken: VerifyOperatorToken;
  /** The controller API's keys (CONTROLLER_JWT_KEYS, or the sandbox's generated one): minting signs with these. */
  readonly controllerKeys: readonly string[];
}

export interface AdminServices {
  readonly deps: AdminDeps;
  /** An operator token's label, or undefined (constant-time; see auth.ts). The console's login uses it. */
  verifyOperatorToken: VerifyOperatorToken;
  lanes(q: LanesQuery): Promise<Page<LaneSummary>>;
  /** null when the lanes file has no such lane. */
  lane(id: string): Promise<LaneDetail | null>;
  sessions(q: SessionsQuery): Promise<SessionsPage>;
  session(id: string): Promise<SessionDetail | null>;
  readonly payments: PaymentsApi;
  /** One page (default 1) of the sales units' webhook health. */
  webhookHealth(page?: number): Promise<WebhookHealth>;
  configSummary(): ConfigSetting[];
  /** Writes the admin_audit row, the log line and checkin_admin_actions_total. Every mutating call uses it. */
  audit(entry: AuditEntry): Promise<void>;
  listAudit(q?: AuditQuery): Promise<AuditPage>;
  /** A controller JWT for one lane (throws MintError with the reason). Audit the call; never log the token. */
  mintControllerToken(r: { laneId: string; ttlS: number; keyNumber?: number }): MintedToken;
}

/** How many sessions a lane's detail shows. */
const RECENT_SESSIONS = 20;

export function createAdminServices(deps: AdminDeps): AdminServices {
  const now = () => deps.clock.now();
  const sandbox = deps.config.vipps.env === 'sandbox';
  return {
    deps,
    verifyOperatorToken: deps.verifyOperatorToken,
    lanes: (q) => queryLanes(deps.db, deps.lanes().all(), q, now(), sandbox),
    async lane(id) {
      const lane = deps.lanes().byId(id);
      if (!lane) return null;
      const [summary, recent] = await Promise.all([
        queryLane(deps.db, lane, now(), sandbox),
        querySessions(deps.db, { laneId: id, limit: RECENT_SESSIONS }, now()),
      ]);
      return { ...summary, recentSessions: recent.items };
    },
    sessions: (q) => querySessions(deps.db, q, now()),
    session: (id) => querySession(deps.db, id, now()),
    payments: deps.payments,
    webhookHealth: (page) =>
      webhookHealth({
        ...(page === undefined ? {} : { page }),
        vipps: deps.vipps,
        expectedUrl: deps.publicWebhookUrl,
        msns: () =>
          deps
            .lanes()
            .all()
            .map((l) => l.msn),
        metrics: deps.metrics,
        ...(deps.webhookActivity ? { activity: deps.webhookActivity } : {}),
      }),
    configSummary: () => configSummary(deps.config),
    audit: (entry) => audit(deps, entry),
    listAudit: (q) => listAudit(deps.db, q),
    mintControllerToken(r) {
      if (!deps.lanes().byId(r.laneId)) throw new MintError(`no lane ${r.laneId} in the lanes file`);
      return mintControllerToken({
        ...r,
        keys: deps.controllerKeys,
        maxTtlS: deps.config.controllerJwt.maxTtlS,
        audience: deps.config.controllerJwt.audience,
        issuer: deps.config.controllerJwt.issuer,
        now: deps.clock.now(),
      });
    },
  };
}
