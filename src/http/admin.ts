// The operator endpoints the CLI has used since before /admin/v1 (`queue stats`, `payments …`): kept at their
// paths, now on the admin listener only (src/admin/server.ts), which authenticates every /admin request
// (requireOperator) before these run.
import { Router } from 'express';
import type { AuditEntry } from '../admin/audit';
import type { Queue } from '../queue/queue';
import type { PaymentsApi } from '../settlement/payments-api';
import { adminPaymentsRouter } from './admin-payments';

export function adminRouter(deps: {
  queue: Queue;
  payments?: PaymentsApi;
  audit?: (entry: AuditEntry) => Promise<void>;
}): Router {
  const router = Router();
  router.get('/admin/queue/stats', async (_req, res) => {
    res.json(await deps.queue.stats());
  });
  if (deps.payments)
    router.use(
      adminPaymentsRouter(deps.payments, { prefix: '/admin', ...(deps.audit ? { audit: deps.audit } : {}) }),
    );
  return router;
}
