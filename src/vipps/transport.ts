// The one executor of Vipps requests (style.md §5): adds auth and the standard headers, applies a per-attempt
// timeout, retries what is safe to retry within an overall deadline, and maps failures to typed errors.
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../clock';
import { registerSecret } from '../log';
import {
  VippsAbortedError,
  VippsApiError,
  VippsDeadlineError,
  VippsError,
  VippsInvalidRequestError,
  VippsResponseError,
  VippsTimeoutError,
} from './errors';
import { apiErrorFromResponse } from './problem';
import type { VippsRequest } from './request';
import { retryAfterMs } from '../backoff';
import { DEFAULT_RETRY, backoffMs } from './retry';
import type { RetryPolicy } from './retry';
import { systemHeaders } from './system-headers';
import { AccessTokenCache, accessTokenRequest } from './token';
import type { VippsCredentials } from './token';
import { sendAttempt } from './attempt';
import type { AttemptResult } from './attempt';
import { ValidationError } from './validate';
import { waitAtMost } from './wait-at-most';

export interface VippsTransportOptions {
  /** Without a trailing slash, e.g. `https://api.vipps.no` or the emulator's `http://127.0.0.1:7070`. */
  readonly baseUrl: string;
  /** The one credential set of a single-sales-unit setup; the fallback of `credentialsFor`. */
  readonly credentials?: VippsCredentials;
  /**
   * Credentials per sales unit (VIPPS_CREDENTIALS_FILE): the set for a call's MSN (undefined = a partner-wide
   * call). A call whose MSN has none, here or in `credentials`, is refused before anything is sent.
   */
  readonly credentialsFor?: (msn: string | undefined) => VippsCredentials | undefined;
  readonly systemName: string;
  readonly systemVersion: string;
  readonly pluginName?: string;
  readonly pluginVersion?: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  /** Per attempt, in ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Overall, all attempts and waits included, in ms. Default 30 000. */
  readonly deadlineMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Jitter source in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Waits between attempts; rejects when `signal` aborts. Injectable so tests observe delays without waiting. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Share one cache between transports with the same credentials. Default: a cache of its own. */
  readonly tokenCache?: AccessTokenCache;
  /** Every error answer from Vipps, with the call's MSN (error-code-alerts.ts reports those needing a person). */
  readonly onApiError?: (error: VippsApiError, msn: string | undefined) => void;
  /** After every attempt: `status` is 0 when no response arrived (network error, timeout, abort). */
  readonly onCall?: (operation: string, status: number, ms: number) => void;
}

export interface ExecuteOptions {
  /** Aborts the attempt in flight and any wait; the call rejects with VippsAbortedError. */
  readonly signal?: AbortSignal;
  /** Overrides the transport's overall deadline for this call, in ms. */
  readonly deadlineMs?: number;
  /**
   * Overrides the retry policy's attempts for this call: 1 = never retried (a webhook registration, whose
   * retry after a lost answer would hide the stored registration's secret).
   */
  readonly maxAttempts?: number;
}

export class VippsTransport {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly tokens: AccessTokenCache;
  private readonly tokenKeys = new Map<VippsCredentials, string>();
  private readonly fixedHeaders: Record<string, string>;

  constructor(private readonly options: VippsTransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {}));
    this.tokens = options.tokenCache ?? new AccessTokenCache(options.clock);
    this.fixedHeaders = {
      Accept: 'application/json',
      'User-Agent': `${options.systemName}/${options.systemVersion}`,
      ...systemHeaders(options),
    };
    if (options.credentials) {
      registerSecret(options.credentials.clientSecret);
      registerSecret(options.credentials.subscriptionKey);
    }
  }

  /** The credential set of a call, chosen by its MSN; refused before sending when there is none. */
  private credentialsOf(req: VippsRequest<unknown>): VippsCredentials {
    const found = this.options.credentialsFor?.(req.msn) ?? this.options.credentials;
    if (found) return found;
    throw new VippsInvalidRequestError(
      req.operation,
      'Merchant-Serial-Number',
      `a sales unit with credentials (none for ${req.msn === undefined ? 'a call without an MSN' : `MSN ${req.msn}`} in VIPPS_CREDENTIALS_FILE)`,
    );
  }

  /**
   * The token belongs to the credential set (a partner set's to the set and the call's MSN); hashing keeps the
   * subscription key out of map keys and dumps.
   */
  private tokenKey(credentials: VippsCredentials, msn: string | undefined): string {
    return credentials.tokenPerMsn
      ? `${this.setKey(credentials)}:${msn ?? 'partner-wide'}`
      : this.setKey(credentials);
  }

  private setKey(credentials: VippsCredentials): string {
    let key = this.tokenKeys.get(credentials);
    if (key === undefined) {
      key = createHash('sha256')
        .update(`${credentials.clientId}\n${credentials.subscriptionKey}`)
        .digest('hex');
      this.tokenKeys.set(credentials, key);
    }
    return key;
  }

  async execute<T>(req: VippsRequest<T>, options: ExecuteOptions = {}): Promise<T> {
    const { signal } = options;
    const deadlineMs = options.deadlineMs ?? this.deadlineMs;
    const deadlineAt = this.nowMs() + deadlineMs;
    const credentials = this.credentialsOf(req);
    let attempts = 0;
    let failures = 0;
    let reauthorized = false;
    let lastError: VippsError | undefined;
    for (;;) {
      if (signal?.aborted) throw new VippsAbortedError(req.operation);
      const outOfTime = (): VippsError =>
        lastError ?? new VippsDeadlineError(req.operation, deadlineMs, attempts);
      if (deadlineAt <= this.nowMs()) throw outOfTime();
      const token =
        req.auth === 'bearer'
          ? await this.accessToken(req, credentials, deadlineAt - this.nowMs(), outOfTime, signal)
          : undefined;
      const remainingMs = deadlineAt - this.nowMs();
      if (remainingMs <= 0) throw outOfTime();
      attempts += 1;
      let error: VippsError;
      try {
        const result = await this.send(req, credentials, token, remainingMs, signal);
        if (req.expect.includes(result.status)) return this.parse(req, result);
        if (result.status === 401 && token !== undefined && !reauthorized) {
          // An unexpected 401 means the cached token went bad (revoked, rotated keys): refetch and retry once.
          reauthorized = true;
          attempts -= 1;
          this.tokens.invalidate(this.tokenKey(credentials, req.msn), token);
          continue;
        }
        error = this.failure(req, credentials, result);
      } catch (e) {
        if (!(e instanceof VippsError)) throw e;
        // When the deadline, not the per-attempt timeout, cut the attempt short, there is no time left to retry.
        error =
          e instanceof VippsTimeoutError && remainingMs < this.timeoutMs
            ? new VippsDeadlineError(req.operation, deadlineMs, attempts, e)
            : e;
      }
      if (!error.retryable || error.kind === 'deadline' || error.kind === 'aborted') throw error;
      lastError = error;
      failures += 1;
      if (attempts >= (options.maxAttempts ?? this.policy.maxAttempts)) throw error;
      const waitMs =
        (error instanceof VippsApiError ? error.retryAfterMs : undefined) ??
        backoffMs(this.policy, failures, this.random);
      // Give up now rather than wake up past the deadline; the error stays retryable for the worker.
      if (this.nowMs() + waitMs >= deadlineAt) throw error;
      try {
        await this.sleep(waitMs, signal);
      } catch (e) {
        if (signal?.aborted) throw new VippsAbortedError(req.operation);
        throw e;
      }
    }
  }

  private async accessToken(
    req: VippsRequest<unknown>,
    credentials: VippsCredentials,
    remainingMs: number,
    outOfTime: () => Error,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    // The refresh is shared by every caller, so it runs on the transport's own deadline and no caller's
    // signal; a caller whose deadline or signal runs out first only stops waiting for it.
    const pending = this.tokens.get(this.tokenKey(credentials, req.msn), () =>
      this.execute(accessTokenRequest(credentials, req.msn)),
    );
    const token = await waitAtMost(pending, remainingMs, signal, {
      onTimeout: outOfTime,
      onAbort: () => new VippsAbortedError(req.operation),
    });
    registerSecret(token);
    return token;
  }

  private async send(
    req: VippsRequest<unknown>,
    credentials: VippsCredentials,
    token: string | undefined,
    remainingMs: number,
    signal: AbortSignal | undefined,
  ): Promise<AttemptResult> {
    const headers: Record<string, string> = {
      ...this.fixedHeaders,
      'Ocp-Apim-Subscription-Key': credentials.subscriptionKey,
      ...req.headers,
    };
    if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
    if (req.msn !== undefined) headers['Merchant-Serial-Number'] = req.msn;
    if (req.idempotencyKey !== undefined) headers['Idempotency-Key'] = req.idempotencyKey;
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    const url = new URL(this.baseUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const started = this.nowMs();
    let status = 0;
    try {
      const result = await sendAttempt(this.options.fetch, {
        operation: req.operation,
        baseUrl: this.baseUrl,
        url,
        method: req.method,
        headers,
        ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        timeoutMs: Math.min(this.timeoutMs, remainingMs),
        ...(signal === undefined ? {} : { signal }),
      });
      status = result.status;
      return result;
    } finally {
      this.options.onCall?.(req.operation, status, this.nowMs() - started);
    }
  }

  private parse<T>(req: VippsRequest<T>, result: AttemptResult): T {
    if (result.invalidJson)
      throw new VippsResponseError(req.operation, result.status, 'the body is not JSON');
    try {
      return req.parse(result.status, result.json);
    } catch (e) {
      if (e instanceof ValidationError) throw new VippsResponseError(req.operation, result.status, e.message);
      throw e;
    }
  }

  private failure(
    req: VippsRequest<unknown>,
    credentials: VippsCredentials,
    result: AttemptResult,
  ): VippsError {
    if (result.status >= 200 && result.status < 300)
      return new VippsResponseError(req.operation, result.status, `expected HTTP ${req.expect.join(' or ')}`);
    const retryAfter = retryAfterMs(result.retryAfter, this.nowMs());
    const error = apiErrorFromResponse(req.operation, {
      status: result.status,
      statusText: result.statusText,
      json: result.json,
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
      secrets: [...(req.secrets ?? []), credentials.clientSecret, credentials.subscriptionKey],
    });
    this.options.onApiError?.(error, req.msn);
    return error;
  }

  private nowMs(): number {
    return this.options.clock.now().getTime();
  }
}
