// Assembles an express app around the webhook router for the router tests: real PGlite for the dead letters, a
// test queue behind `makeQueue` (swap it for another InspectableQueue to run the same tests on a real adapter),
// a FakeClock, and a logger whose output the tests can read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import express, { type Express } from 'express';
import request from 'supertest';
import { FakeClock } from '../../src/clock';
import { createMetrics, type Metrics } from '../../src/http/metrics';
import { createWebhookFastPath } from '../../src/intake/webhook-fast-path';
import { createWebhookRouter, type WebhookRouterDeps } from '../../src/intake/webhook-router';
import { createLogger } from '../../src/log';
import type { Database, Sql } from '../../src/store/sql';
import { openTestDatabase, truncateAll } from '../support/db';
import { type InspectableQueue, MemoryQueue } from '../support/memory-queue';
import { type SignOptions, type SignedRequest, signedRequest } from '../support/signed-request';
import { testLanes } from './lanes-fixture';

export const PUBLIC_URL = new URL('https://gw.example.com/webhooks/vipps');
export const SECRET = 'whsec-4f1c2a9b-test';
export const NOW = Date.parse('2026-01-01T12:00:00Z');
export const KNOWN_REFERENCE = 'lane-1-abcdef12';

/** The one place the router tests get their queue from. */
export function makeQueue(clock: FakeClock): InspectableQueue & Partial<Pick<MemoryQueue, 'failEnqueue'>> {
  return new MemoryQueue(clock);
}

/**
 * How requests reach the route: as in production, through the fast path with Express behind it (the default),
 * or through the Express route alone (the path for what the fast path leaves to Express).
 */
export type Via = 'fast path' | 'express route';

export interface Harness {
  /** The Express app with the route; `handler` is what `send` talks to. */
  readonly app: Express;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** How many requests the fast path left to the Express route. */
  readonly leftToExpress: () => number;
  readonly queue: ReturnType<typeof makeQueue>;
  readonly clock: FakeClock;
  readonly metrics: Metrics;
  /** The live secret list the router reads per request. */
  readonly secrets: string[];
  /** Everything logged so far. */
  readonly logs: () => string;
  /** A delivery signed with SECRET at the clock's current time. */
  sign(body: unknown, options?: Partial<SignOptions>): SignedRequest;
  send(req: SignedRequest, extraHeaders?: Record<string, string>): request.Test;
}

export function buildHarness(
  sql: Sql,
  overrides: Partial<WebhookRouterDeps> = {},
  trustProxy: unknown = 1,
  via: Via = 'fast path',
): Harness {
  const clock = new FakeClock(NOW);
  const queue = makeQueue(clock);
  const metrics = createMetrics();
  const secrets = [SECRET];
  let logged = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logged += chunk.toString('utf8')));
  const app = express();
  app.set('trust proxy', trustProxy);
  const deps: WebhookRouterDeps = {
    publicUrl: PUBLIC_URL,
    secrets: () => secrets,
    skewS: 300,
    clock,
    lanes: () => testLanes,
    queue,
    sql,
    resolveReference: async (ref) => (ref === KNOWN_REFERENCE ? 'lane-1' : undefined),
    metrics,
    logger: createLogger({ stream, level: 'debug' }),
    checkinMaxAgeS: 120,
    failedAuthLimitPerMin: 1000,
    ...overrides,
  };
  app.use(createWebhookRouter(deps));
  app.use((_req, res) => {
    res.status(404).json({ code: 'not_found' });
  });
  const sign = (body: unknown, options: Partial<SignOptions> = {}): SignedRequest =>
    signedRequest({
      url: overrides.publicUrl ?? PUBLIC_URL,
      secret: SECRET,
      body,
      date: clock.now(),
      ...options,
    });
  const fast = createWebhookFastPath(deps);
  let leftToExpress = 0;
  const handler =
    via === 'fast path'
      ? (req: IncomingMessage, res: ServerResponse) =>
          fast(req, res, () => {
            leftToExpress += 1;
            app(req, res);
          })
      : app;
  const send = (req: SignedRequest, extraHeaders: Record<string, string> = {}): request.Test => {
    let r = request(handler).post(req.path);
    for (const [k, v] of Object.entries({ ...req.headers, ...extraHeaders })) r = r.set(k, v);
    // superagent would JSON-serialise a Buffer sent as application/json; send the exact bytes instead.
    return r.serialize((bytes: unknown) => bytes as string).send(req.body);
  };
  return {
    app,
    handler,
    leftToExpress: () => leftToExpress,
    queue,
    clock,
    metrics,
    secrets,
    logs: () => logged,
    sign,
    send,
  };
}

/**
 * The router tests' lifecycle: a test database for the file (or describe block), emptied before each test, and
 * a fresh harness over it, both handed to `use` before each test.
 */
export function harnessPerTest(use: (db: Database, h: Harness) => void, via: Via = 'fast path'): void {
  let db: Database | undefined;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    if (!db) throw new Error('the test database did not open');
    await truncateAll(db);
    use(db, buildHarness(db, {}, 1, via));
  });
}

/** Rows of intake_dead_letters, oldest first, with the raw body as a Buffer. */
export async function deadLetters(
  sql: Sql,
): Promise<{ reason: string; detail: string; contentType: string | null; rawBody: Buffer }[]> {
  const { rows } = await sql.query<{
    reason: string;
    detail: string;
    content_type: string | null;
    raw_body: Uint8Array;
  }>('SELECT reason, detail, content_type, raw_body FROM intake_dead_letters ORDER BY id');
  return rows.map((r) => ({
    reason: r.reason,
    detail: r.detail,
    contentType: r.content_type,
    rawBody: Buffer.from(r.raw_body),
  }));
}

/** The value of a labelled counter, 0 when never incremented. */
export async function counter(
  metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return hit?.value ?? 0;
}
