// The operator console (issue 14): server-rendered pages at /console on the admin listener, mounted by
// src/admin/server.ts. Order matters: security headers on every response, then the login pages and the two
// assets (no login needed), then the login check, then the pages, the live feed and the actions.
import { Router, type Request } from 'express';
import type { Logger } from '../../log';
import type { AdminServices } from '../services';
import { CONSOLE_CSS, CONSOLE_JS } from './assets';
import { ConsoleSessions } from './console-sessions';
import type { ConsoleDeadLetters } from './context';
import { requireLogin } from './guard';
import { LiveFeed, type LiveView } from './live-feed';
import { loginRouter } from './login-routes';
import { activityPage } from './pages/activity';
import { auditPage } from './pages/audit';
import { deadLetterPages } from './pages/dead-letters';
import { fleetPage } from './pages/fleet';
import { lanePage } from './pages/lane';
import { paymentsPages } from './pages/payments';
import { sessionPage } from './pages/session';
import { webhooksPage } from './pages/webhooks';
import { consoleSecurityHeaders } from './security-headers';
import { sendProblem } from '../../http/problem';

export interface ConsoleOptions {
  readonly services: AdminServices;
  /** The dead-letter service (src/admin/dead-letters.ts), when this process has one. */
  readonly deadLetters?: ConsoleDeadLetters | undefined;
  readonly logger?: Logger;
  /** Live feed poll period (default 1 000 ms). */
  readonly liveIntervalMs?: number;
  /** How long a login lasts (default 8 h). */
  readonly sessionTtlMs?: number;
}

export interface OperatorConsole {
  readonly router: Router;
  /** A single-use login link for `operator`, valid 10 minutes (the sandbox prints one at start). */
  loginLink(adminUrl: string, operator?: string): Promise<string>;
  readonly feed: LiveFeed;
  /** Ends the live streams (before the admin listener closes: an open stream would hold it open). */
  close(): void;
}

async function liveView(services: AdminServices, req: Request): Promise<LiveView | undefined> {
  const q = req.query;
  const str = (name: string): string | undefined => {
    const v = q[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const num = (name: string, fallback: number): number => {
    const v = str(name);
    return v && /^\d{1,7}$/.test(v) ? Number(v) : fallback;
  };
  switch (str('view')) {
    case 'fleet': {
      const state = str('state');
      const page = await services.lanes({
        ...(str('q') ? { q: str('q')! } : {}),
        ...(state === 'idle' || state === 'busy' || state === 'disabled' ? { state } : {}),
        page: num('page', 1),
        pageSize: num('pageSize', 50),
      });
      return { kind: 'fleet', lanes: new Set(page.items.map((l) => l.id)) };
    }
    case 'lane':
      return str('lane') ? { kind: 'lane', laneId: str('lane')! } : undefined;
    case 'session':
      return str('session') ? { kind: 'session', sessionId: str('session')! } : undefined;
    default:
      return undefined;
  }
}

export function createConsole(o: ConsoleOptions): OperatorConsole {
  const { services } = o;
  const logger = o.logger ?? services.deps.logger;
  const ttlMs = o.sessionTtlMs ?? 8 * 3600_000;
  const sessions = new ConsoleSessions({ db: services.deps.db, clock: services.deps.clock, ttlMs });
  const feed = new LiveFeed({
    services,
    logger,
    ...(o.liveIntervalMs ? { intervalMs: o.liveIntervalMs } : {}),
  });
  const ctx = { services, deadLetters: o.deadLetters };

  const router = Router();
  router.use('/console', consoleSecurityHeaders);
  router.use(
    loginRouter({
      sessions,
      verifyOperatorToken: services.verifyOperatorToken,
      sessionTtlS: Math.floor(ttlMs / 1000),
      audit: (operator, action, outcome) =>
        services.audit({ operator, action, outcome, detail: { via: 'console' } }),
    }),
  );
  router.get('/console/assets/console.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=86400').send(CONSOLE_CSS);
  });
  router.get('/console/assets/console.js', (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=86400').send(CONSOLE_JS);
  });
  router.use('/console', requireLogin(sessions));
  // Pages are per operator and may show money: never kept by a browser or shared cache.
  router.use('/console', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.get('/console/events', async (req, res) => {
    const view = await liveView(services, req);
    if (!view)
      return sendProblem(res, {
        status: 400,
        code: 'invalid_query',
        title: 'The request is invalid',
        detail: 'view must be fleet, lane (with lane=) or session (with session=)',
      });
    if (!feed.listen(view, res))
      sendProblem(
        res,
        { status: 503, code: 'too_many_listeners', title: 'Too many live pages open' },
        { 'Retry-After': '5' },
      );
  });
  for (const pages of [
    fleetPage,
    lanePage,
    sessionPage,
    activityPage,
    deadLetterPages,
    paymentsPages,
    webhooksPage,
    auditPage,
  ])
    router.use(pages(ctx));

  return {
    router,
    feed,
    async loginLink(adminUrl, operator = 'local') {
      return `${adminUrl}/console/login/once?t=${encodeURIComponent(await sessions.issueCode(operator))}`;
    },
    close: () => feed.close(),
  };
}
