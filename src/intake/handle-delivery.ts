// After verification: parse, map, enqueue, answer. A verified event is never answered 4xx (Vipps would retry it
// for a week); it is accepted (202), a duplicate (200), dropped with a reason (200), or 503 when it could not be
// made durable (Vipps retries, which is what we want then).
import type { Metrics } from '../http/metrics';
import type { Logger } from '../log';
import type { Sql } from '../store/sql';
import { recordDeadLetter } from './dead-letters';
import { recordDroppedEvent } from './dead-letters-drops';
import { parseEvent } from './events';
import { type IntakeDeps, type IntakeOutcome, intakeEvent } from './intake';
import { IntakeUnavailableError } from './intake-errors';
import type { Reply } from './reply';

/** Label values of metrics.webhookRequests / intakeLatency. */
export type Outcome = 'accepted' | 'duplicate' | 'dropped' | 'rejected' | 'error';

export interface DeliveryContext extends IntakeDeps {
  readonly sql: Sql;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly contentType: string | undefined;
  /** Undocumented Vipps header (§1.4): logged to correlate retries, never relied on. */
  readonly webhookId: string | undefined;
  /** Which active secret verified the delivery: logged so an operator sees when an old secret is unused. */
  readonly secretIndex: number;
}

interface Drop {
  readonly reason: string;
  readonly detail?: string;
  readonly lane?: Readonly<Record<string, string>>;
}

function answerDropped(res: Reply, ctx: DeliveryContext, drop: Drop): Outcome {
  ctx.metrics.drops.inc({ reason: drop.reason });
  // Lane info and reason only: the event may carry a customer token, which never reaches a log line.
  ctx.log.warn('webhook event dropped', {
    reason: drop.reason,
    ...(drop.detail === undefined ? {} : { detail: drop.detail }),
    ...drop.lane,
    webhookId: ctx.webhookId,
  });
  res.json(200, { status: 'dropped', code: drop.reason });
  return 'dropped';
}

/** The cause's message, with the event's customer token cut out: an adapter may echo what it was given. */
function causeText(err: unknown, token: string | undefined): string {
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return token ? text.split(token).join('[redacted]') : text;
}

function answerUnavailable(res: Reply, ctx: DeliveryContext, err: unknown, token?: string): Outcome {
  const code = err instanceof IntakeUnavailableError ? err.code : 'queue_unavailable';
  ctx.log.error('webhook event could not be made durable; Vipps will retry', {
    code,
    cause: causeText(err, token),
    webhookId: ctx.webhookId,
  });
  res.problem({ status: 503, code, title: 'Temporarily unable to accept the event; retry later' });
  return 'error';
}

function laneFields(value: {
  msn: string;
  merchantQrId?: string;
  reference?: string;
}): Record<string, string> {
  const out: Record<string, string> = { msn: value.msn };
  if (value.merchantQrId !== undefined) out['merchantQrId'] = value.merchantQrId;
  if (value.reference !== undefined) out['reference'] = value.reference;
  return out;
}

export async function handleVerifiedDelivery(
  rawBody: Buffer,
  ctx: DeliveryContext,
  res: Reply,
): Promise<Outcome> {
  const parsed = parseEvent(rawBody, ctx.log);
  if (!parsed.ok) {
    // Signed but unusable: keep the bytes for inspection before answering 2xx (nothing signed is lost).
    try {
      await recordDeadLetter(ctx.sql, {
        reason: parsed.reason,
        detail: parsed.detail,
        contentType: ctx.contentType,
        rawBody,
      });
    } catch (err) {
      return answerUnavailable(res, ctx, new IntakeUnavailableError('store_unavailable', err));
    }
    return answerDropped(res, ctx, { reason: parsed.reason, detail: parsed.detail });
  }

  let outcome: IntakeOutcome;
  try {
    outcome = await intakeEvent(parsed.value, ctx);
  } catch (err) {
    const token = parsed.value.kind === 'checkin' ? parsed.value.event.customerToken : undefined;
    return answerUnavailable(res, ctx, err, token);
  }
  const lane = {
    ...laneFields(parsed.value.event),
    ...(outcome.laneId === undefined ? {} : { laneId: outcome.laneId }),
  };
  if (outcome.kind === 'dropped') {
    // Kept for the operator to see and, once the lanes file is fixed, replay (issue 14): before the 2xx.
    try {
      await recordDroppedEvent(ctx.sql, {
        value: parsed.value,
        reason: outcome.reason,
        laneId: outcome.laneId,
        rawBody,
        contentType: ctx.contentType,
        receivedAt: ctx.clock.now(),
      });
    } catch (err) {
      const token = parsed.value.kind === 'checkin' ? parsed.value.event.customerToken : undefined;
      return answerUnavailable(res, ctx, new IntakeUnavailableError('store_unavailable', err), token);
    }
    return answerDropped(res, ctx, { reason: outcome.reason, lane });
  }

  ctx.log.info(outcome.duplicate ? 'webhook event already queued' : 'webhook event queued', {
    kind: parsed.value.kind,
    key: outcome.key,
    jobId: outcome.jobId,
    ...lane,
    webhookId: ctx.webhookId,
    // Not "secretIndex": the log redactor blanks any field whose name contains "secret".
    signingKeyIndex: ctx.secretIndex,
  });
  if (outcome.duplicate) {
    res.json(200, { status: 'duplicate' });
    return 'duplicate';
  }
  res.json(202, { status: 'accepted' });
  return 'accepted';
}
