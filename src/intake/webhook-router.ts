// The Vipps webhook route (architecture §1): served at the path of PUBLIC_WEBHOOK_URL, raw body only, verify,
// parse, map to a lane, enqueue, and only then answer 2xx. Mount it before any global body parser.
import { performance } from 'node:perf_hooks';
import express, { type Request, type Response, type Router } from 'express';
import type { Store } from 'express-rate-limit';
import type { Metrics } from '../http/metrics';
import { sendProblem } from '../http/problem';
import type { Logger } from '../log';
import { requestLogger } from '../http/request-id';
import type { Sql } from '../store/sql';
import { isJsonContentType } from './content-type';
import { createFailedAuthLimiter } from './failed-auth-limiter';
import type { Outcome } from './handle-delivery';
import type { IntakeDeps } from './intake';
import { expressReply } from './reply';
import { answerVerified, recordOutcome, verifyDelivery } from './webhook-delivery';

/** 64 KiB: a Vipps event is a few hundred bytes; anything near this is not one. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface WebhookRouterDeps extends IntakeDeps {
  /** PUBLIC_WEBHOOK_URL: its path is served, its host and path+query are what Vipps signs. */
  readonly publicUrl: URL;
  /**
   * WEBHOOK_PATH: the path served when a proxy in front strips a prefix of PUBLIC_WEBHOOK_URL's path; the
   * signature is still checked over PUBLIC_WEBHOOK_URL's path (issue 15). Default: PUBLIC_WEBHOOK_URL's path.
   */
  readonly listenPath?: string;
  /** Read per request: the sandbox adds the emulator's secret after start, rotation adds/removes secrets. */
  readonly secrets: () => readonly string[];
  /** VIPPS_WEBHOOK_CLOCK_SKEW_S. */
  readonly skewS: number;
  /** Where unusable signed bodies are kept (intake_dead_letters). */
  readonly sql: Sql;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** INTAKE_FAILED_AUTH_LIMIT_PER_MIN: failed verifications per IP per window before 429. */
  readonly failedAuthLimitPerMin: number;
  /** Window of that limit in ms (default 60 000). */
  readonly failedAuthWindowMs?: number;
  /** A shared express-rate-limit store when several instances serve the route (default: in-memory). */
  readonly failedAuthStore?: Store;
  /** Benchmark hook (src/runtime/trace.ts): each verified delivery and when its request reached the route. */
  readonly trace?: (
    event: 'webhook-received',
    fields: { readonly at: number; readonly rawBody: Buffer },
  ) => void;
}

function readRawBody(parser: express.RequestHandler, req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve) => {
    void parser(req, res, (err?: unknown) => resolve(err));
  });
}

/** The problem for a body that could not be read (also the fast path's, src/intake/webhook-fast-path.ts). */
export function bodyError(err: unknown): { status: number; code: string; title: string } {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large')
    return { status: 413, code: 'payload_too_large', title: `The body exceeds ${MAX_BODY_BYTES} bytes` };
  if (type === 'encoding.unsupported')
    return { status: 415, code: 'unsupported_media_type', title: 'Content-Encoding is not supported' };
  return { status: 400, code: 'bad_request', title: 'The request body could not be read' };
}

export function createWebhookRouter(deps: WebhookRouterDeps): Router {
  const router = express.Router();
  const path = deps.listenPath ?? deps.publicUrl.pathname;
  // Raw bytes on this route only: the signature covers the exact bytes (vipps-protocol.md §1.2 step 1).
  // No inflation: Vipps does not compress requests, and a signed hash of compressed bytes is not what §1.2 says.
  const parser = express.raw({ type: () => true, limit: MAX_BODY_BYTES, inflate: false });
  const limiter = createFailedAuthLimiter({
    limit: deps.failedAuthLimitPerMin,
    windowMs: deps.failedAuthWindowMs ?? 60_000,
    ...(deps.failedAuthStore ? { store: deps.failedAuthStore } : {}),
  });

  // Matched by exact path rather than an Express route pattern: the configured path is data, not a pattern.
  router.use(async (req, res, next) => {
    if (req.path !== path) {
      next();
      return;
    }
    const started = performance.now();
    const done = (outcome: Outcome): void => recordOutcome(deps, started, outcome);

    if (req.method !== 'POST') {
      sendProblem(
        res,
        { status: 405, code: 'method_not_allowed', title: 'Only POST is accepted here' },
        { Allow: 'POST' },
      );
      return done('rejected');
    }
    if (!isJsonContentType(req.get('content-type'))) {
      sendProblem(res, {
        status: 415,
        code: 'unsupported_media_type',
        title: 'Content-Type must be application/json',
      });
      return done('rejected');
    }
    const err = await readRawBody(parser, req, res);
    if (err !== undefined) {
      sendProblem(res, bodyError(err));
      return done('rejected');
    }
    const body: unknown = req.body;
    if (body !== undefined && !Buffer.isBuffer(body)) {
      requestLogger(req, res, deps.logger).error(
        'webhook body was parsed before the webhook router: mount it before any body parser',
      );
      sendProblem(res, { status: 500, code: 'internal_error', title: 'Internal error' });
      return done('error');
    }
    const rawBody = body ?? Buffer.alloc(0);

    const verdict = verifyDelivery(deps, req.originalUrl, req.headers, rawBody);
    if (!verdict.ok) {
      deps.metrics.authFailures.inc({ code: verdict.code });
      const log = requestLogger(req, res, deps.logger);
      log.warn('webhook verification failed', {
        code: verdict.code,
        ip: req.ip,
        webhookId: req.get('webhook-id'),
      });
      // Only failed verifications reach the limiter: it answers 429 past the limit, else we answer 401.
      await limiter(req, res, () => sendProblem(res, verdict));
      return done('rejected');
    }

    await answerVerified(deps, {
      started,
      rawBody,
      secretIndex: verdict.secretIndex,
      contentType: req.get('content-type'),
      webhookId: req.get('webhook-id'),
      log: () => requestLogger(req, res, deps.logger),
      reply: expressReply(res),
    });
  });
  return router;
}
