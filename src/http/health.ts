// Liveness and readiness. /healthz says the process serves HTTP; /readyz says it can do its job right now
// (lanes loaded, queue writable), so a load balancer stops routing to an instance that can't.
import { Router } from 'express';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export function healthRouter(checks: readonly ReadinessCheck[], isDraining: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results: Record<string, string> = {};
    let ok = !isDraining();
    if (!ok) results.draining = 'shutting down';
    for (const c of checks) {
      try {
        await c.check();
        results[c.name] = 'ok';
      } catch (err) {
        ok = false;
        results[c.name] = err instanceof Error ? err.message : 'failed';
      }
    }
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', checks: results });
  });
  return router;
}
