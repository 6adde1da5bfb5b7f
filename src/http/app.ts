// Express app assembly: request ids, the intake route, health, metrics, admin, then the feature routers, then a JSON 404 and
// an error handler that never leaks internals.
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../log';
import type { Metrics } from './metrics';
import { healthRouter, type ReadinessCheck } from './health';
import { requestId, requestLogger } from './request-id';
import { sendProblem } from './problem';
import { methodNotAllowed } from './method-not-allowed';

export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly trustProxy: boolean | number | string;
  readonly readiness: readonly ReadinessCheck[];
  /** Mounted first, right after the request id: the webhook route, which Vipps calls at volume. */
  readonly intakeRouters?: readonly Router[];
  readonly routers: readonly Router[];
  /** Refreshes gauges (e.g. queue depth) just before a scrape. */
  readonly beforeScrape?: () => Promise<void>;
  readonly isDraining?: () => boolean;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.locals.logger = deps.logger;
  app.use(requestId());
  for (const r of deps.intakeRouters ?? []) app.use(r);
  app.use(healthRouter(deps.readiness, deps.isDraining ?? (() => false)));
  app.get('/metrics', async (_req, res) => {
    if (deps.beforeScrape) await deps.beforeScrape().catch(() => undefined);
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  for (const r of deps.routers) app.use(r);
  // A known path with a method it does not serve: 405 with Allow, not 404.
  app.use(methodNotAllowed(app));
  app.use((_req: Request, res: Response) => {
    sendProblem(res, { status: 404, code: 'not_found', title: 'No such route' });
  });
  // Express needs the 4-argument signature to recognise an error handler.

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) requestLogger(req, res).error('unhandled request error', { err });
    if (res.headersSent) return;
    if (status === 400 && (err as { type?: string }).type === 'entity.parse.failed') {
      sendProblem(res, { status: 400, code: 'invalid_json', title: 'The request body is not valid JSON' });
      return;
    }
    if (status === 413) {
      sendProblem(res, { status: 413, code: 'payload_too_large', title: 'Request body too large' });
      return;
    }
    sendProblem(
      res,
      status >= 500
        ? { status: 500, code: 'internal_error', title: 'Internal error' }
        : { status, code: 'bad_request', title: 'Bad request' },
    );
  });
  return app;
}
