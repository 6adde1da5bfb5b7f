// The admin listener (ADMIN_HOST, default 127.0.0.1; ADMIN_PORT, default 8081): /admin/v1/… (JSON), the CLI's
// older /admin/queue/stats and /admin/payments…, and the routers others plug in (the console, dead letters,
// outbox). Never on the public webhook port: a leaked or guessed path there finds nothing (404).
// Every /admin request passes requireOperator first; /console routers carry their own login.
import { Router, type Express } from 'express';
import { createApp } from '../http/app';
import { adminRouter } from '../http/admin';
import { adminPaymentsRouter } from '../http/admin-payments';
import { bindServer, type BoundServer } from '../runtime/http-server';
import { requireOperator } from './auth';
import { controllersRoutes } from './routes-controllers';
import { lanesRoutes } from './routes-lanes';
import { miscRoutes } from './routes-misc';
import { sessionsRoutes } from './routes-sessions';
import type { AdminServices } from './services';

export interface AdminAppOptions {
  readonly services: AdminServices;
  /** Routers under /admin (dead letters, outbox): mounted after the operator check. */
  readonly adminRouters?: readonly Router[];
  /** Routers with their own authentication (the console at /console). */
  readonly routers?: readonly Router[];
}

export function createAdminApp(o: AdminAppOptions): Express {
  const { services } = o;
  const { deps } = services;
  const guard = Router();
  guard.use('/admin', requireOperator(services.verifyOperatorToken));
  const audit = services.audit;
  return createApp({
    logger: deps.logger,
    metrics: deps.metrics,
    trustProxy: deps.config.trustProxy,
    readiness: [],
    routers: [
      guard,
      adminRouter({ queue: deps.queue, payments: services.payments, audit }),
      lanesRoutes(services),
      sessionsRoutes(services),
      adminPaymentsRouter(services.payments, { prefix: '/admin/v1', audit }),
      miscRoutes(services),
      controllersRoutes(services),
      ...(o.adminRouters ?? []),
      ...(o.routers ?? []),
    ],
  });
}

/** Binds ADMIN_HOST:ADMIN_PORT early (a port in use stops the start naming ADMIN_PORT). */
export function bindAdminServer(port: number, host: string): Promise<BoundServer> {
  return bindServer(port, host, 'ADMIN_PORT');
}

/** The URL a client on this host uses: a wildcard bind is reached on loopback. */
export function adminUrlFor(host: string, port: number): string {
  const reach = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reach.includes(':') ? `[${reach}]` : reach}:${port}`;
}
