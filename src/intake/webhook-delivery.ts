// What the webhook route and its fast path share: verification with the route's settings, and everything after
// a delivery verified (trace, the delivery's context, the answer, metrics).
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log';
import { type DeliveryContext, handleVerifiedDelivery, type Outcome } from './handle-delivery';
import type { Reply } from './reply';
import { type HeaderValue, type VerifyResult, verifyWebhook } from './verify';
import type { WebhookRouterDeps } from './webhook-router';

export function verifyDelivery(
  deps: WebhookRouterDeps,
  pathAndQuery: string,
  headers: Readonly<Record<string, HeaderValue>>,
  rawBody: Buffer,
): VerifyResult {
  return verifyWebhook(
    { method: 'POST', pathAndQuery: signedPathAndQuery(deps, pathAndQuery), headers, rawBody },
    { publicUrl: deps.publicUrl, secrets: deps.secrets(), skewS: deps.skewS, now: deps.clock.now() },
  );
}

/**
 * Behind a proxy that strips a prefix (WEBHOOK_PATH ≠ PUBLIC_WEBHOOK_URL's path), the request arrives at the
 * listening path but Vipps signed the public one: check it as if it had arrived there, query included.
 */
function signedPathAndQuery(deps: WebhookRouterDeps, pathAndQuery: string): string {
  const listen = deps.listenPath;
  if (listen === undefined || listen === deps.publicUrl.pathname) return pathAndQuery;
  const q = pathAndQuery.indexOf('?');
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  return path === listen ? deps.publicUrl.pathname + (q === -1 ? '' : pathAndQuery.slice(q)) : pathAndQuery;
}

/** Counts a request by outcome and observes its latency from `started` (performance.now()). */
export function recordOutcome(deps: WebhookRouterDeps, started: number, outcome: Outcome): void {
  deps.metrics.webhookRequests.inc({ outcome });
  deps.metrics.intakeLatency.observe({ outcome }, (performance.now() - started) / 1000);
}

export interface VerifiedDelivery {
  /** performance.now() when the request reached the route. */
  readonly started: number;
  readonly rawBody: Buffer;
  readonly secretIndex: number;
  readonly contentType: string | undefined;
  readonly webhookId: string | undefined;
  /** The request's logger, made on first use. */
  readonly log: () => Logger;
  readonly reply: Reply;
}

export async function answerVerified(deps: WebhookRouterDeps, d: VerifiedDelivery): Promise<void> {
  deps.trace?.('webhook-received', { at: d.started, rawBody: d.rawBody });
  const ctx: DeliveryContext = {
    lanes: deps.lanes,
    queue: deps.queue,
    clock: deps.clock,
    checkinMaxAgeS: deps.checkinMaxAgeS,
    resolveReference: deps.resolveReference,
    sql: deps.sql,
    metrics: deps.metrics,
    get log() {
      return d.log();
    },
    contentType: d.contentType,
    webhookId: d.webhookId,
    secretIndex: d.secretIndex,
  };
  recordOutcome(deps, d.started, await handleVerifiedDelivery(d.rawBody, ctx, d.reply));
}
