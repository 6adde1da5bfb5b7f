// Maps a Vipps error response to a VippsApiError (pure). Bodies seen (vipps-protocol.md §2, §4, §5, §6.6):
// - problem+json: { type, title, status, detail, traceId, instance, extraDetails: [{ name, reason }] }, the numeric
//   code as { name: "ErrorCode", reason: "4050" };
// - QR: { type?, title, detail, instance, invalidParams: [{ name, reason }] };
// - access token (Azure AD style): { error, error_description, error_codes: [..], trace_id }.
// Anything else (an HTML page from a proxy, an empty body) still yields status + a generic title.
import { VippsApiError } from './errors';

export interface ErrorResponse {
  readonly status: number;
  readonly statusText: string;
  /** Parsed JSON body, or undefined when absent or not JSON. */
  readonly json: unknown;
  readonly retryAfterMs?: number;
  /** Strings to remove from anything echoed back (customerToken, secrets). */
  readonly secrets?: readonly string[];
}

export function apiErrorFromResponse(operation: string, res: ErrorResponse): VippsApiError {
  const body = isRecord(res.json) ? res.json : {};
  const scrub = (s: string | undefined): string | undefined =>
    s === undefined ? s : scrubAll(s, res.secrets);
  const title =
    scrub(text(body['title'])) ?? scrub(text(body['error'])) ?? (res.statusText || `HTTP ${res.status}`);
  const code = vippsCode(body);
  const traceId = text(body['traceId']) ?? text(body['trace_id']);
  const detail = scrub(text(body['detail']) ?? text(body['error_description']));
  return new VippsApiError(operation, {
    status: res.status,
    title: title.slice(0, 200),
    ...(code === undefined ? {} : { code }),
    ...(traceId === undefined ? {} : { traceId }),
    ...(detail === undefined ? {} : { detail: detail.slice(0, 1000) }),
    ...(res.retryAfterMs === undefined ? {} : { retryAfterMs: res.retryAfterMs }),
  });
}

/** `extraDetails[name=ErrorCode].reason`, else any all-digit `reason`, else the first of `error_codes`. */
export function vippsCode(body: Record<string, unknown>): string | undefined {
  const details = Array.isArray(body['extraDetails']) ? body['extraDetails'].filter(isRecord) : [];
  const named = details.find((d) => text(d['name'])?.toLowerCase() === 'errorcode');
  const namedReason = named ? codeText(named['reason']) : undefined;
  if (namedReason !== undefined) return namedReason;
  for (const d of details) {
    const reason = codeText(d['reason']);
    if (reason !== undefined) return reason;
  }
  const codes = body['error_codes'];
  return Array.isArray(codes) ? codeText(codes[0]) : undefined;
}

function codeText(v: unknown): string | undefined {
  const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : text(v)?.trim();
  return s !== undefined && /^\d+$/.test(s) ? s : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scrubAll(s: string, secrets: readonly string[] = []): string {
  let out = s;
  for (const secret of secrets)
    if (secret !== '' && out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}
