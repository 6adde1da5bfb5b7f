// The pay page of redirect-qr lanes (issue 16), on the public listener: a lane's merchant-redirect sticker opens
// `GET /pay/{laneId}` on the customer's phone; "Pay with Vipps MobilePay" posts back here, which starts the
// lane's session through startLaneSession (pairing redirect-qr, ePayment WEB_REDIRECT) and sends the browser
// (303) to Vipps's payment page; Vipps returns it to `/pay/{laneId}/result/{sessionId}`, which follows the
// session (`…/status`, JSON) until it has ended.
//
// Refusals start nothing: an unknown lane or one not offering redirect-qr is 404, a disabled lane 503, a busy
// lane 409, a forged or stale form 400, too many attempts 429 (per lane and per client). No cookies; the
// client's address is only ever a salted hash inside the rate limiter's memory for its window.
import { createHash, randomBytes } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Clock } from '../clock';
import { lanePairings, type Lane, type LaneRegistry } from '../lanes/lane';
import type { Logger } from '../log';
import { moneyText } from '../money-text';
import { sessionIdForAttempt } from '../sessions/ids';
import type { LaneStartRequest, LaneStartResult } from '../sessions/lane-start';
import { loadActiveSession } from '../store/lane-view-repo';
import { loadSale } from '../store/sales-repo';
import { loadSession } from '../store/sessions-repo';
import type { Sql } from '../store/sql';
import { PAY_CSS, RESULT_JS } from './assets';
import { messagePage, payForm, resultPage, type Shown } from './pages';
import { pageTokens } from './page-token';
import { payStatus } from './status';
import { payResultUrl } from './urls';

export interface PayPageLimits {
  /** Payment starts per lane per minute; default 6. */
  readonly startsPerLanePerMin?: number;
  /** Payment starts per client per minute; default 5. */
  readonly startsPerClientPerMin?: number;
  /** Any pay-page request (pages, status reads) per client per minute; default 120. */
  readonly requestsPerClientPerMin?: number;
}

export interface PayPageDeps {
  readonly db: Sql;
  readonly lanes: () => LaneRegistry;
  /** startLaneSession bound to the gateway's store, queue and lanes (src/sessions/lane-start.ts). */
  readonly start: (laneId: string, req: LaneStartRequest) => Promise<LaneStartResult>;
  /** PUBLIC_BASE_URL: where Vipps sends the customer back. */
  readonly publicBaseUrl: URL;
  /**
   * Origins the form may end up at besides https: ones (Chrome applies form-action to the redirect after the
   * POST): the sandbox emulator's http:// landing page.
   */
  readonly formTargets?: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** HMAC key of the page tokens; instances behind one load balancer need the same. Default: random. */
  readonly tokenKey?: Buffer;
  readonly limits?: PayPageLimits;
}

const LANE_PATH = '/pay/:laneId';

function csp(formTargets: readonly string[]): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    "script-src 'self'",
    "connect-src 'self'",
    "img-src 'self'",
    `form-action 'self' https: ${formTargets.join(' ')}`.trim(),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(policy: string): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

/** The lane when it offers redirect-qr; otherwise answers 404 itself (an unknown lane looks the same). */
function payLane(deps: PayPageDeps, req: Request, res: Response): Lane | undefined {
  const lane = deps.lanes().byId(String(req.params['laneId']));
  if (lane && lanePairings(lane).includes('redirect-qr')) return lane;
  messagePage(
    res,
    404,
    'Page not found',
    'There is no payment page at this address. Check the code you scanned.',
  );
  return undefined;
}

/** What the page shows; `busy` when another customer's session holds the lane. */
async function laneOffer(deps: PayPageDeps, lane: Lane): Promise<{ shown: Shown; busy: boolean }> {
  const active = await loadActiveSession(deps.db, lane.id);
  let amount: number | undefined = lane.kind === 'vending' ? lane.maxAmount : lane.fixedAmount;
  let busy = active !== null;
  if (lane.kind === 'self-checkout') {
    const sale = await loadSale(deps.db, lane.id);
    if (sale) {
      amount = sale.amount;
      busy ||= sale.sessionId !== null;
    }
  }
  return {
    shown: {
      description: lane.description,
      amount: amount === undefined ? null : moneyText(amount, lane.currency),
    },
    busy,
  };
}

function busyPage(res: Response, lane: Lane): void {
  messagePage(
    res,
    409,
    'Checkout busy',
    'Another customer is paying at this checkout right now. Nothing was started; try again in a moment.',
    { href: `/pay/${encodeURIComponent(lane.id)}`, label: 'Try again' },
  );
}

function limiter(limit: number, key: (req: Request) => string, what: string): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (req, res) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const wait = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
      res.setHeader('Retry-After', String(wait));
      messagePage(
        res,
        429,
        'Too many attempts',
        `Too many payment attempts ${what}. Wait ${wait} seconds, then try again. Nothing was started.`,
      );
    },
  });
}

export function createPayRouter(deps: PayPageDeps): Router {
  const router = express.Router();
  const tokens = pageTokens(deps.tokenKey);
  // The client's address only as a salted hash (new salt per process): the limiter needs a key, not an address.
  const salt = randomBytes(16);
  const clientKey = (req: Request): string =>
    createHash('sha256')
      .update(salt)
      .update(ipKeyGenerator(req.ip ?? ''))
      .digest('base64url');
  const limits = deps.limits ?? {};
  const perClient = limiter(limits.requestsPerClientPerMin ?? 120, clientKey, 'from this device');
  const startsPerClient = limiter(
    limits.startsPerClientPerMin ?? 5,
    (req) => `start:${clientKey(req)}`,
    'from this device',
  );
  const startsPerLane = limiter(
    limits.startsPerLanePerMin ?? 6,
    (req) => `lane:${String(req.params['laneId'])}`,
    'at this checkout',
  );

  router.get('/pay/assets/pay.css', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('text/css').send(PAY_CSS);
  });
  router.get('/pay/assets/result.js', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('text/javascript').send(RESULT_JS);
  });

  router.use('/pay', securityHeaders(csp(deps.formTargets ?? [])), perClient);

  router.get(LANE_PATH, async (req, res) => {
    const lane = payLane(deps, req, res);
    if (!lane) return;
    if (!lane.enabled)
      return messagePage(res, 503, 'Not taking payments', 'This checkout is not taking payments right now.');
    const { shown, busy } = await laneOffer(deps, lane);
    if (busy) return busyPage(res, lane);
    payForm(res, lane.id, lane.kind, shown, tokens.issue(lane.id, deps.clock.now()));
  });

  router.post(
    LANE_PATH,
    startsPerClient,
    startsPerLane,
    express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }),
    async (req, res) => {
      const lane = payLane(deps, req, res);
      if (!lane) return;
      const attemptId = tokens.check(
        lane.id,
        (req.body as Record<string, unknown> | undefined)?.['token'],
        deps.clock.now(),
      );
      if (!attemptId)
        return messagePage(
          res,
          400,
          'This page is out of date',
          'The payment page was open too long or did not come from this checkout. Nothing was started.',
          { href: `/pay/${encodeURIComponent(lane.id)}`, label: 'Open the payment page again' },
        );
      const returnUrl = payResultUrl(deps.publicBaseUrl, lane.id, sessionIdForAttempt(lane.id, attemptId));
      const started = await deps.start(lane.id, { attemptId, pairing: 'redirect-qr', returnUrl });
      if (started.status === 'problem') {
        if (started.problem === 'lane_busy') return busyPage(res, lane);
        if (started.problem === 'pairing_not_offered' || started.problem === 'unknown_lane')
          return messagePage(res, 404, 'Page not found', 'There is no payment page at this address.');
        if (started.problem === 'lane_disabled')
          return messagePage(
            res,
            503,
            'Not taking payments',
            'This checkout is not taking payments right now.',
          );
        deps.logger.warn('pay page: the session could not start', {
          laneId: lane.id,
          problem: started.problem,
        });
        return messagePage(
          res,
          409,
          'Payment not started',
          'The payment could not be started. Nothing was charged.',
          {
            href: `/pay/${encodeURIComponent(lane.id)}`,
            label: 'Try again',
          },
        );
      }
      // Vipps's page when the create answered; otherwise (still waiting, or it ended) the result page says how.
      const resultPath = `/pay/${encodeURIComponent(lane.id)}/result/${encodeURIComponent(started.sessionId)}`;
      res.redirect(303, started.redirectUrl ?? resultPath);
    },
  );

  const sessionOf = async (req: Request, res: Response, lane: Lane) => {
    const session = await loadSession(deps.db, String(req.params['sessionId']));
    if (session?.laneId === lane.id && session.pairing === 'redirect-qr') return session;
    messagePage(res, 404, 'Payment not found', 'There is no payment at this address.');
    return undefined;
  };

  router.get(`${LANE_PATH}/result/:sessionId`, async (req, res) => {
    const lane = payLane(deps, req, res);
    const session = lane && (await sessionOf(req, res, lane));
    if (!lane || !session) return;
    const shown: Shown = {
      description: lane.description,
      amount: session.amount ? moneyText(session.amount.value, session.amount.currency) : null,
    };
    resultPage(res, `${req.baseUrl}${req.path}/status`, shown, payStatus(session));
  });

  router.get(`${LANE_PATH}/result/:sessionId/status`, async (req, res) => {
    const lane = deps.lanes().byId(String(req.params['laneId']));
    const session =
      lane && lanePairings(lane).includes('redirect-qr')
        ? await loadSession(deps.db, String(req.params['sessionId']))
        : null;
    if (!lane || session?.laneId !== lane.id || session.pairing !== 'redirect-qr') {
      res.status(404).json({ title: 'Payment not found', detail: 'There is no payment at this address.' });
      return;
    }
    res.json(payStatus(session));
  });

  // Any other page under /pay is a 404 page, not the API's JSON; other methods go on to the app's 405.
  router.use('/pay', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    messagePage(res, 404, 'Page not found', 'There is no payment page at this address.');
  });
  return router;
}
