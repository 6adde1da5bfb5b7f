// The time limits and sales-unit rules Vipps applies to capture, cancel and refund, with the codes of the
// published ePayment error list (vippsas/agent-toolkit, plugins/vipps/skills/epayment/references/errors.md):
// - capture and cancel: 180 days after the reservation in Norway, 14 days in Denmark and Finland; "Attempting to
//   handle an older payment will result in a HTTP 400 Bad Request"
//   (https://developer.vippsmobilepay.com/docs/knowledge-base/payment-rules/ "Payment time limits") — 6100
//   "Capture period expired", 6030 "Cancel period expired";
// - refund: 365 days (https://developer.vippsmobilepay.com/docs/knowledge-base/refund/) — 6220 "Refund period
//   expired";
// - partial capture disabled on the sales unit: 6140 "Must capture full amount".
// Every instant is read from the injected clock, so a FakeClock runs these months in milliseconds.
import type { EmulatorContext, PaymentDeadlines } from './context';
import { EmulatedApiError } from './problem';
import { DEFAULT_MERCHANT_SETTINGS, type MerchantSettings, type Payment } from './state';

export const DAY_MS = 24 * 60 * 60 * 1000;

export const VIPPS_DEADLINES: PaymentDeadlines = {
  captureMs: { NOK: 180 * DAY_MS, DKK: 14 * DAY_MS, EUR: 14 * DAY_MS },
  refundMs: 365 * DAY_MS,
};

export function merchantSettings(ctx: EmulatorContext, msn: string): MerchantSettings {
  return ctx.state.merchants.get(msn) ?? DEFAULT_MERCHANT_SETTINGS;
}

/** The deadlines count from the reservation; a payment that was never reserved counts from its creation. */
const reservedAt = (p: Payment): number => p.authorizedAt ?? p.createdAt;

const span = (ms: number): string => (ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : `${ms} ms`);

function assertWithin(
  ctx: EmulatorContext,
  p: Payment,
  limitMs: number,
  refusal: { code: string; title: string; verb: string },
): void {
  const from = reservedAt(p);
  if (ctx.clock.now().getTime() <= from + limitMs) return;
  throw EmulatedApiError.coded(
    400,
    refusal.code,
    refusal.title,
    `A payment in ${p.amount.currency} can be ${refusal.verb} for ${span(limitMs)} after the reservation; ` +
      `this one was reserved at ${new Date(from).toISOString()}.`,
  );
}

export function assertCaptureWindow(ctx: EmulatorContext, p: Payment): void {
  assertWithin(ctx, p, ctx.settings.deadlines.captureMs[p.amount.currency], {
    code: '6100',
    title: 'Capture period expired',
    verb: 'captured',
  });
}

export function assertCancelWindow(ctx: EmulatorContext, p: Payment): void {
  assertWithin(ctx, p, ctx.settings.deadlines.captureMs[p.amount.currency], {
    code: '6030',
    title: 'Cancel period expired',
    verb: 'cancelled',
  });
}

export function assertRefundWindow(ctx: EmulatorContext, p: Payment): void {
  assertWithin(ctx, p, ctx.settings.deadlines.refundMs, {
    code: '6220',
    title: 'Refund period expired',
    verb: 'refunded',
  });
}

/** With partial capture off for the MSN, only the whole remaining reservation may be captured. */
export function assertCaptureAllowed(
  ctx: EmulatorContext,
  p: Payment,
  value: number,
  remaining: number,
): void {
  if (value >= remaining || merchantSettings(ctx, p.msn).partialCapture) return;
  throw EmulatedApiError.coded(
    400,
    '6140',
    'Must capture full amount',
    `Partial capture is not allowed for this sales unit; capture the remaining ${remaining}.`,
  );
}
