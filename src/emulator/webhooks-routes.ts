// Webhooks API v1 (vipps-protocol.md §2): register ⇒ 201 {id, secret}, list, delete ⇒ 204, scoped by the
// Merchant-Serial-Number header (absent = a partner-wide registration that receives every MSN's events).
import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { EmulatorContext } from './context';
import { apiErrorHandler, EmulatedApiError, notFound, problemBody } from './problem';
import type { WebhookRegistration } from './state';
import { requireAuth } from './tokens';

const BASE = '/webhooks/v1/webhooks';
const EPAYMENT_EVENTS = [
  'created',
  'aborted',
  'expired',
  'cancelled',
  'captured',
  'refunded',
  'authorized',
  'terminated',
];
export const KNOWN_EVENTS: readonly string[] = [
  'user.checked-in.v1',
  ...EPAYMENT_EVENTS.map((e) => `epayments.payment.${e}.v1`),
];
const CHECKED_IN = 'user.checked-in.v1';

function validUrl(v: unknown, allowHttp: boolean): string {
  // Vipps delivers only to https (§2); `allowHttp` (the sandbox, tests) lets the emulator reach local servers.
  const schemes = allowHttp ? ['http:', 'https:'] : ['https:'];
  if (typeof v !== 'string' || !URL.canParse(v) || !schemes.includes(new URL(v).protocol))
    throw EmulatedApiError.field(
      'url',
      allowHttp ? 'url must be an absolute http(s) URL.' : 'url must be an absolute https URL.',
    );
  return v;
}

function validEvents(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0)
    throw EmulatedApiError.field('events', 'events must be a non-empty array of event names.');
  for (const e of v)
    if (typeof e !== 'string' || !KNOWN_EVENTS.includes(e))
      throw EmulatedApiError.field(
        'events',
        `Unknown event '${String(e)}'. Known: ${KNOWN_EVENTS.join(', ')}.`,
      );
  return [...new Set(v as string[])];
}

export function webhooksRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.use(BASE, express.json({ limit: '10kb' }), requireAuth(ctx, { msn: 'optional' }));
  const scope = (header: string | undefined): string | undefined => header || undefined;

  router.post(BASE, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const url = validUrl(body['url'], ctx.settings.allowHttpRegistrations);
    const events = validEvents(body['events']);
    const msn = scope(req.get('Merchant-Serial-Number'));
    const mine = [...ctx.state.webhooks.values()].filter((w) => w.msn === msn);
    for (const event of events) {
      const limit =
        event === CHECKED_IN ? ctx.settings.maxCheckinRegistrations : ctx.settings.maxRegistrationsPerEvent;
      if (mine.filter((w) => w.events.includes(event)).length >= limit)
        throw EmulatedApiError.field(
          'events',
          `At most ${limit} registrations for '${event}' per sales unit.`,
        );
    }
    const registration: WebhookRegistration = {
      id: randomUUID(),
      msn,
      url,
      events,
      // Base64 text, used as UTF-8 by the signer: receivers that base64-decode it fail, as they would with Vipps.
      secret: randomBytes(30).toString('base64'),
      createdAt: ctx.clock.now().getTime(),
    };
    ctx.state.webhooks.set(registration.id, registration);
    // Tests time a rotation from these ('webhook-registered', 'webhook-deleted': the registration).
    ctx.events.emit('webhook-registered', registration);
    res.status(201).json({ id: registration.id, secret: registration.secret });
  });

  router.get(BASE, (req, res) => {
    const msn = scope(req.get('Merchant-Serial-Number'));
    const webhooks = [...ctx.state.webhooks.values()]
      .filter((w) => w.msn === msn)
      .map((w) => ({ id: w.id, url: w.url, events: w.events }));
    res.json({ webhooks });
  });

  router.delete(`${BASE}/:id`, (req, res) => {
    const registration = ctx.state.webhooks.get(req.params.id);
    if (!registration || registration.msn !== scope(req.get('Merchant-Serial-Number')))
      throw new EmulatedApiError(
        404,
        'Not Found',
        'No webhook registration with this id for this sales unit.',
      );
    ctx.state.webhooks.delete(registration.id);
    ctx.events.emit('webhook-deleted', registration);
    res.status(204).end();
  });

  router.use(BASE, notFound, apiErrorHandler(problemBody, ctx.logger));
  return router;
}
