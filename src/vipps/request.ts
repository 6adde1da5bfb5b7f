// A Vipps API call described as data (style.md §5): the factories in epayment.ts, qr.ts, webhooks.ts and
// token.ts build these; VippsTransport is the only thing that executes them.
import type { Validator } from './validate';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface VippsRequest<T> {
  /** Stable name for logs, metrics and error messages, e.g. `epayment.create`. */
  readonly operation: string;
  readonly method: HttpMethod;
  /** Path below the base URL, starting with `/`, path parameters already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** JSON body; sent with `Content-Type: application/json`. */
  readonly body?: unknown;
  /** `Merchant-Serial-Number` for this call: lanes belong to different sales units (vipps-protocol.md §7). */
  readonly msn?: string;
  /** Kept identical on every retry so Vipps deduplicates (vipps-protocol.md §6.6). */
  readonly idempotencyKey?: string;
  /** Extra headers (only the access-token call needs them: `client_id`, `client_secret`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth: 'bearer' | 'none';
  /**
   * Values that must never leak (a customerToken in the body, the client secret): the transport registers them
   * with the log redactor and scrubs them from anything Vipps echoes back in an error.
   */
  readonly secrets?: readonly string[];
  /** Success statuses; any other status is an error. */
  readonly expect: readonly number[];
  /** Validates and converts the parsed JSON body (`undefined` when the response has none). Throws on mismatch. */
  readonly parse: (status: number, json: unknown) => T;
}

/** Encodes one path parameter (a reference or merchantQrId may be chosen by an operator). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** `parse` for a JSON body checked by `validator`; a mismatch becomes a VippsResponseError in the transport. */
export function bodyOf<T>(validator: Validator<T>): (status: number, json: unknown) => T {
  return (_status, json) => validator(json, 'body');
}

/** For calls whose success response carries nothing we use. */
export function ignoreBody(): void {
  return undefined;
}
