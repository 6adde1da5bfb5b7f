// Console logins held in memory: a random session id (the cookie) → the operator's label and the session's
// CSRF token. Memory is enough: the console is served by the one admin listener of a process, and a restart
// asking operators to log in again is the safe default. One-time login codes (the sandbox's start link) live
// here too: single use, valid 10 minutes.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock';

export interface ConsoleSession {
  readonly id: string;
  readonly operator: string;
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface ConsoleSessionOptions {
  readonly clock: Clock;
  /** How long a login lasts. Default 8 h. */
  readonly ttlMs?: number;
  /** How long a one-time login code is valid. Default 10 min (issue 14). */
  readonly codeTtlMs?: number;
  /** Oldest logins are dropped past this many (a flood of logins cannot grow memory). Default 1 000. */
  readonly maxSessions?: number;
}

export const LOGIN_CODE_TTL_MS = 10 * 60_000;

function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time string equality (length first: timingSafeEqual throws on unequal lengths). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();
  private readonly codes = new Map<string, { operator: string; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly codeTtlMs: number;
  private readonly maxSessions: number;

  constructor(private readonly options: ConsoleSessionOptions) {
    this.ttlMs = options.ttlMs ?? 8 * 3600_000;
    this.codeTtlMs = options.codeTtlMs ?? LOGIN_CODE_TTL_MS;
    this.maxSessions = options.maxSessions ?? 1000;
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  start(operator: string): ConsoleSession {
    const session: ConsoleSession = {
      id: randomId(),
      operator,
      csrf: randomId(),
      expiresAt: this.now() + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    // Map order is insertion order: the first keys are the oldest logins.
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= this.maxSessions) break;
      this.sessions.delete(id);
    }
    return session;
  }

  find(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** A single-use login code for `operator`, valid 10 minutes. */
  issueCode(operator: string): string {
    const now = this.now();
    for (const [code, c] of this.codes) if (c.expiresAt <= now) this.codes.delete(code);
    const code = randomId();
    this.codes.set(code, { operator, expiresAt: now + this.codeTtlMs });
    return code;
  }

  /** The operator of a valid unused code, which is used up by this call; else undefined. */
  redeemCode(code: string): string | undefined {
    const found = this.codes.get(code);
    if (!found) return undefined;
    this.codes.delete(code);
    return found.expiresAt > this.now() ? found.operator : undefined;
  }
}
