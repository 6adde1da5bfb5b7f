// Idempotency of ePayment modifications (vipps-protocol.md §6.6): per (MSN, operation, reference, key), the same
// body gets the first response again, a different body gets 409. A 4xx answer is kept too ("a 4xx result stays
// 4xx for that key"); 429 and 5xx are not, since the advice there is to retry with the same key.
import type { EmulatorContext } from './context';
import { EmulatedApiError, type RenderedError } from './problem';
import type { StoredResponse } from './state';

export type Operation = 'create' | 'capture' | 'cancel' | 'refund';

// The code each operation answers a changed body with (§6.6: 4010 capture, 4150 refund, 4020 otherwise).
const CONFLICT_CODE: Record<Operation, string> = {
  create: '4020',
  capture: '4010',
  cancel: '4020',
  refund: '4150',
};

/** Key-order independent JSON, so a replay that serialises the same object differently still matches. */
export function fingerprint(body: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(canon(body ?? null));
}

export interface IdempotencySlot {
  readonly replay: StoredResponse | undefined;
  save(result: RenderedError): void;
}

/** Looks the slot up: a stored response with the same body is the replay; a different body throws 409. */
export function idempotencySlot(
  ctx: EmulatorContext,
  parts: { msn: string; operation: Operation; reference: string; key: string },
  body: unknown,
): IdempotencySlot {
  const slotKey = JSON.stringify([parts.msn, parts.operation, parts.reference, parts.key]);
  const print = fingerprint(body);
  const stored = ctx.state.idempotency.get(slotKey);
  if (stored && stored.fingerprint !== print)
    throw EmulatedApiError.coded(
      409,
      CONFLICT_CODE[parts.operation],
      'Idempotency conflict',
      'This Idempotency-Key was used with a different request body. Repeat the body exactly, or use a new key.',
    );
  return {
    replay: stored,
    save: (r) => {
      if (r.status === 429 || r.status >= 500) return;
      ctx.state.idempotency.set(slotKey, { fingerprint: print, ...r });
    },
  };
}
