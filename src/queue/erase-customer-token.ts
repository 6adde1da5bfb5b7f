// What a dead letter keeps of a customer token: nothing (architecture §2: the customerToken "is erased from
// storage once the payment is created or the session ends"; a job given up on has ended its use). Every copy
// kept for an operator — a dead row of the postgres queue, a message in the SQS dead-letter queue, a signed
// body in intake_dead_letters — has each `customerToken` member replaced by this marker, so the copy still
// shows that there was a token and that it was erased on purpose. A replayed check-in without its token is
// dropped as stale by the lane machine (job-inputs.ts, sessions/checkin.ts), never paid.
export const TOKEN_ERASED_MARKER = { customerToken: null, customerTokenErased: true } as const;

const TOKEN_KEY = 'customerToken';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether value holds a `customerToken` member that is not already erased (null), at any depth. */
export function holdsCustomerToken(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsCustomerToken);
  if (!isRecord(value)) return false;
  return Object.entries(value).some(([k, v]) => (k === TOKEN_KEY ? v !== null : holdsCustomerToken(v)));
}

/** A copy of value in which every object with a `customerToken` member carries the marker instead. */
export function eraseCustomerToken(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(eraseCustomerToken);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = eraseCustomerToken(v);
  return TOKEN_KEY in value ? { ...out, ...TOKEN_ERASED_MARKER } : out;
}

// `"customerToken": "…"` in text that is not JSON (a truncated or corrupted body); an unterminated string is
// cut to the end of the text.
const TOKEN_IN_TEXT = /("customerToken"\s*:\s*)"(?:[^"\\]|\\.)*"?/g;

/**
 * JSON text with its tokens erased (eraseCustomerToken), or text that is not JSON with every
 * `"customerToken": "…"` member cut out by pattern. Text without a token comes back unchanged, byte for byte.
 */
export function eraseCustomerTokenInText(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.replace(TOKEN_IN_TEXT, '$1null, "customerTokenErased": true');
  }
  return holdsCustomerToken(parsed) ? JSON.stringify(eraseCustomerToken(parsed)) : text;
}
