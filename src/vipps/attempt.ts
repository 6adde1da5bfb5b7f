// One HTTP attempt: fetch with a timeout and the caller's abort signal, read the whole body under the same
// timeout (a server can stall after the headers), and classify what went wrong without retrying anything.
import { VippsAbortedError, VippsNetworkError, VippsTimeoutError } from './errors';
import type { HttpMethod } from './request';

export interface Attempt {
  readonly operation: string;
  /** For error messages: where we tried to go, never the full URL with its query. */
  readonly baseUrl: string;
  readonly url: URL;
  readonly method: HttpMethod;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface AttemptResult {
  readonly status: number;
  readonly statusText: string;
  /** The parsed body; undefined when empty or not JSON. */
  readonly json: unknown;
  /** A non-empty body that failed to parse as JSON. */
  readonly invalidJson: boolean;
  readonly retryAfter: string | null;
}

export async function sendAttempt(fetchFn: typeof fetch, a: Attempt): Promise<AttemptResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), a.timeoutMs);
  const onAbort = (): void => controller.abort();
  a.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetchFn(a.url, {
      method: a.method,
      headers: a.headers,
      ...(a.body === undefined ? {} : { body: a.body }),
      signal: controller.signal,
      // A Vipps API never redirects; following one could carry the Authorization header somewhere else.
      redirect: 'manual',
    });
    const text = await res.text();
    const { json, invalidJson } = parseJson(text);
    return {
      status: res.status,
      statusText: res.statusText,
      json,
      invalidJson,
      retryAfter: res.headers.get('retry-after'),
    };
  } catch (e) {
    if (a.signal?.aborted) throw new VippsAbortedError(a.operation);
    if (controller.signal.aborted) throw new VippsTimeoutError(a.operation, a.timeoutMs);
    throw new VippsNetworkError(a.operation, a.baseUrl, e);
  } finally {
    clearTimeout(timer);
    a.signal?.removeEventListener('abort', onAbort);
  }
}

function parseJson(text: string): { json: unknown; invalidJson: boolean } {
  if (text.trim() === '') return { json: undefined, invalidJson: false };
  try {
    return { json: JSON.parse(text) as unknown, invalidJson: false };
  } catch {
    return { json: undefined, invalidJson: true };
  }
}
