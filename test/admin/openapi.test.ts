// docs/admin-api.openapi.yaml parses, every $ref resolves, and it describes every route the admin listener
// serves (read from the admin app's router stack, so a new route without documentation fails here).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Router } from 'express';
import { createAdminApp } from '../../src/admin/server';
import type { AdminServices } from '../../src/admin/services';
import { createMetrics } from '../../src/http/metrics';
import { silentLogger } from '../../src/log';
import { createMemoryQueue } from '../support/memory-queue';
import { deadLettersRoutes } from '../../src/admin/dead-letters-routes';
import { outboxRoutes } from '../../src/admin/outbox-routes';

const doc = parse(readFileSync(path.join(__dirname, '../../docs/admin-api.openapi.yaml'), 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
};

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, out);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  return out;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function routes(stack: Layer[], out: string[] = []): string[] {
  for (const l of stack) {
    if (l.route) for (const m of Object.keys(l.route.methods)) out.push(`${m} ${l.route.path}`);
    else if (l.handle?.stack) routes(l.handle.stack, out);
  }
  return out;
}

describe('docs/admin-api.openapi.yaml', () => {
  it('is OpenAPI 3.1 and every $ref resolves', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const ref of new Set(refs(doc))) {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((n, key) => (n as Record<string, unknown> | undefined)?.[key], doc);
      expect({ ref, found: target !== undefined }).toEqual({ ref, found: true });
    }
  });

  it('describes every /admin route of the admin listener', () => {
    const services = {
      deps: {
        logger: silentLogger(),
        metrics: createMetrics(),
        config: { trustProxy: false },
        queue: createMemoryQueue(),
      },
      verifyOperatorToken: () => undefined,
      payments: {},
      audit: async () => undefined,
    } as unknown as AdminServices;
    const app = createAdminApp({
      services,
      adminRouters: [
        deadLettersRoutes({} as Parameters<typeof deadLettersRoutes>[0]),
        outboxRoutes({} as Parameters<typeof outboxRoutes>[0]),
      ],
      routers: [Router()],
    });
    const served = routes(app.router.stack as unknown as Layer[]).filter((r) => r.includes(' /admin/'));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const normalise = (r: string) => r.replace(/:\w+/g, ':param');
    const missing = served
      .map(normalise)
      .filter(
        (r) =>
          !documented.map(normalise).includes(r) &&
          !r.startsWith('get /admin/payments') &&
          !r.startsWith('post /admin/payments'),
      );
    expect(missing).toEqual([]);
    expect(served.length).toBeGreaterThanOrEqual(20);
  });
});
