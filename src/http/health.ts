// Liveness and readiness. /healthz says the process serves HTTP; /readyz says it can do its job right now
// (lanes loaded, queue writable), so a load balancer stops routing to an instance that can't.
//
// A check may also answer "degraded": the instance can still take webhooks (so /readyz stays 200 and the load
// balancer keeps routing to it), but something downstream is behind, e.g. lanes whose controller has not taken
// a lane message for minutes (issue 13). The body then says `"status": "degraded"` and names what is behind, so
// monitoring that reads the body can page while routing stays unchanged.
import { Router } from 'express';

/** What a check answers when the instance can work but something is behind. */
export interface Degraded {
  /** One line for `checks[name]`. */
  readonly degraded: string;
  /** Listed under `degraded[name]` in the body. */
  readonly detail?: unknown;
}

export interface ReadinessCheck {
  readonly name: string;
  /** Throws when not ready; resolves to Degraded when ready but behind. */
  check(): Promise<void | Degraded>;
}

export function healthRouter(checks: readonly ReadinessCheck[], isDraining: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results: Record<string, string> = {};
    const degraded: Record<string, unknown> = {};
    let ok = !isDraining();
    if (!ok) results.draining = 'shutting down';
    for (const c of checks) {
      try {
        const answer = await c.check();
        results[c.name] = answer ? `degraded: ${answer.degraded}` : 'ok';
        if (answer) degraded[c.name] = answer.detail ?? answer.degraded;
      } catch (err) {
        ok = false;
        results[c.name] = err instanceof Error ? err.message : 'failed';
      }
    }
    const isDegraded = Object.keys(degraded).length > 0;
    const status = !ok ? 'not_ready' : isDegraded ? 'degraded' : 'ready';
    res.status(ok ? 200 : 503).json({ status, checks: results, ...(isDegraded ? { degraded } : {}) });
  });
  return router;
}
