// Helpers for the money tests of the emulator (issue 12): control-API calls with their exact problems, an
// authorized payment in one call, and capture / cancel / refund with an explicit Idempotency-Key.
import { createBody, paymentEvent, scan, type Harness } from './helpers';

/** A control-API call: JSON body in, status and parsed body (undefined when empty) out. */
export async function control(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.url}/emulator/v1${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown>,
  };
}

/** The control API's 400 problem with `detail`, exactly. */
export function invalidRequest(detail: string): Record<string, unknown> {
  return {
    type: 'https://checkin-gateway.dev/problems/emulator.invalid-request',
    title: 'Invalid request',
    status: 400,
    code: 'emulator.invalid-request',
    detail,
  };
}

/** Scans, creates and lets the simulated customer approve: an AUTHORIZED payment of `value` `currency`. */
export async function authorizedPayment(
  h: Harness,
  reference: string,
  value = 10_000,
  currency = 'NOK',
): Promise<void> {
  const { customerToken } = await scan(h, { behavior: { action: 'approve' } });
  const res = await h.api('/epayment/v1/payments', {
    body: createBody(reference, customerToken, value, currency),
    headers: { 'Idempotency-Key': `create-${reference}` },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  await paymentEvent(h.emulator, reference, 'AUTHORIZED');
}

/** POST capture / cancel / refund of `reference`; `value` in the currency given (NOK by default). */
export function modify(
  h: Harness,
  reference: string,
  operation: 'capture' | 'cancel' | 'refund',
  options: { value?: number; currency?: string; key: string },
): Promise<Response> {
  const body =
    options.value === undefined
      ? undefined
      : { modificationAmount: { currency: options.currency ?? 'NOK', value: options.value } };
  return h.api(`/epayment/v1/payments/${reference}/${operation}`, {
    method: 'POST',
    ...(body === undefined ? {} : { body }),
    headers: { 'Idempotency-Key': options.key },
  });
}
