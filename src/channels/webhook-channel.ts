// Lane messages as JSON POSTs signed per the Standard Webhooks spec (webhook-id / webhook-timestamp /
// webhook-signature), for self-checkout integrations. Each attempt is signed afresh so its timestamp stays
// inside the receiver's 5-minute tolerance; network errors, timeouts, 408, 429 and 5xx are retried with
// backoff (honouring Retry-After), any other non-2xx is final.
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { backoffDelayMs, retryAfterMs, type BackoffPolicy } from '../backoff';
import { abortableDelay, type Delay } from './backoff';
import { ChannelConfigError, ChannelDeliveryError, type LaneChannel, type LaneMessage } from './channel';
import { serializeLaneMessage } from './lane-message-wire';
import { createLaneSerializer, type LaneSerializer } from './lane-serializer';

export interface WebhookChannelOptions {
  readonly url: string;
  /** A validated `whsec_…` secret (see resolveWebhookSecret). */
  readonly secret: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Per attempt, in ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Attempts inside one send(), first included. Default 4. */
  readonly maxAttempts?: number;
  /** Default { baseMs: 500, maxMs: 10 000 }. */
  readonly backoff?: BackoffPolicy;
  readonly delay?: Delay;
  readonly random?: () => number;
  /** Share one across channels so a lane reconfigured on reload stays in order. */
  readonly serializer?: LaneSerializer;
}

type AttemptOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly reason: string;
      readonly status?: number;
      readonly retryAfterMs?: number;
    };

const RETRYABLE_STATUS = new Set([408, 429]);

export function createWebhookChannel(options: WebhookChannelOptions): LaneChannel {
  const target = describeTarget(options.url);
  const webhook = new Webhook(options.secret);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 10_000 };
  const delay = options.delay ?? abortableDelay;
  const random = options.random ?? Math.random;
  const serializer = options.serializer ?? createLaneSerializer();

  async function attemptOnce(
    message: LaneMessage,
    body: string,
    signal?: AbortSignal,
  ): Promise<AttemptOutcome> {
    const now = options.clock.now();
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await options.fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'checkin-gateway',
          'webhook-id': message.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': webhook.sign(message.id, now, body),
        },
        body,
        // A redirect would re-send a signed payload somewhere the lanes file never named.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      const reason = timeout.aborted
        ? `no answer within ${timeoutMs} ms`
        : `network error (${networkCode(err)})`;
      return { ok: false, retryable: true, reason };
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true };
    const retryable = response.status >= 500 || RETRYABLE_STATUS.has(response.status);
    const after = retryAfterMs(response.headers.get('retry-after'), now.getTime());
    return {
      ok: false,
      retryable,
      status: response.status,
      reason: `HTTP ${response.status}`,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  }

  async function deliver(message: LaneMessage, signal?: AbortSignal): Promise<void> {
    const body = serializeLaneMessage(message);
    const details = (attempts: number, status?: number) => ({
      laneId: message.laneId,
      messageId: message.id,
      attempts,
      ...(status === undefined ? {} : { status }),
    });
    const aborted = (attempts: number) =>
      new ChannelDeliveryError(
        'channel_aborted',
        `delivery of ${message.id} to ${target} was aborted`,
        true,
        details(attempts),
      );
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw aborted(attempt - 1);
      let outcome: AttemptOutcome;
      try {
        outcome = await attemptOnce(message, body, signal);
      } catch (err) {
        if (signal?.aborted) throw aborted(attempt);
        throw err;
      }
      if (outcome.ok) return;
      if (!outcome.retryable) {
        throw new ChannelDeliveryError(
          'webhook_rejected',
          `lane ${message.laneId}: ${target} refused ${message.id} with ${outcome.reason}; not retried`,
          false,
          details(attempt, outcome.status),
        );
      }
      if (attempt >= maxAttempts) {
        throw new ChannelDeliveryError(
          'webhook_unavailable',
          `lane ${message.laneId}: ${target} did not accept ${message.id} after ${attempt} attempts (last: ${outcome.reason})`,
          true,
          details(attempt, outcome.status),
        );
      }
      const wait = Math.min(
        backoff.maxMs,
        Math.max(backoffDelayMs(attempt, backoff, random), outcome.retryAfterMs ?? 0),
      );
      options.logger?.warn('lane webhook attempt failed, retrying', {
        laneId: message.laneId,
        messageId: message.id,
        attempt,
        reason: outcome.reason,
        retryInMs: wait,
      });
      try {
        await delay(wait, signal);
      } catch {
        throw aborted(attempt);
      }
    }
  }

  return {
    send: (message, signal) => serializer.run(message.laneId, () => deliver(message, signal)),
  };
}

/** Origin + path only: a query string may carry a token the operator put in the lanes file. */
function describeTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChannelConfigError('webhook_url_invalid', 'the webhook channel url is not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ChannelConfigError('webhook_url_invalid', 'the webhook channel url must be http(s)');
  }
  return `${parsed.origin}${parsed.pathname}`;
}

function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return err instanceof Error ? err.name : 'unknown';
}
