// Webhooks API v1 registration factories (vipps-protocol.md §2). There is no update: to change a URL or its
// events, register a new one, accept both secrets, then delete the old one.
import { checkMsn, invalid } from './input-checks';
import { bodyOf, ignoreBody, segment } from './request';
import type { VippsRequest } from './request';
import { array, nonEmptyString, object, string } from './validate';
import type { Validator } from './validate';

const BASE = '/webhooks/v1/webhooks';

export interface WebhookRegistration {
  readonly id: string;
  /** Returned only here, never again: store it per registration id. Secret: never logged. */
  readonly secret: string;
}

export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
}

const registration: Validator<WebhookRegistration> = object({ id: nonEmptyString, secret: nonEmptyString });
const webhookList: Validator<{ webhooks: Webhook[] }> = object({
  webhooks: array(object({ id: nonEmptyString, url: string, events: array(string) })),
});

/** Without an MSN a registration made with partner keys fires for all the partner's merchants (§2). */
export interface WebhookScope {
  readonly msn?: string;
}

export interface RegisterWebhookInput extends WebhookScope {
  readonly url: string;
  /** e.g. `user.checked-in.v1`, `epayments.payment.authorized.v1`. */
  readonly events: readonly string[];
}

export function registerWebhook(input: RegisterWebhookInput): VippsRequest<WebhookRegistration> {
  const op = 'webhooks.register';
  if (!URL.canParse(input.url)) throw invalid(op, 'url', 'an absolute URL (https outside the sandbox)');
  if (input.events.length === 0 || input.events.some((e) => e === ''))
    throw invalid(op, 'events', 'a non-empty list of event names');
  return {
    operation: op,
    method: 'POST',
    path: BASE,
    ...scope(op, input),
    auth: 'bearer',
    body: { url: input.url, events: [...input.events] },
    expect: [201],
    parse: bodyOf(registration),
  };
}

export function listWebhooks(input: WebhookScope = {}): VippsRequest<Webhook[]> {
  const op = 'webhooks.list';
  return {
    operation: op,
    method: 'GET',
    path: BASE,
    ...scope(op, input),
    auth: 'bearer',
    expect: [200],
    parse: (_status, json) => webhookList(json, 'body').webhooks,
  };
}

export function deleteWebhook(input: WebhookScope & { readonly id: string }): VippsRequest<void> {
  const op = 'webhooks.delete';
  if (input.id === '') throw invalid(op, 'id', 'a registration id');
  return {
    operation: op,
    method: 'DELETE',
    path: `${BASE}/${segment(input.id)}`,
    ...scope(op, input),
    auth: 'bearer',
    expect: [204, 200],
    parse: ignoreBody,
  };
}

function scope(op: string, input: WebhookScope): { msn?: string } {
  return input.msn === undefined ? {} : { msn: checkMsn(op, input.msn) };
}
