// Console logins in the store (migration 011): a random session id (the cookie) → the operator's label, until
// it expires. Every process serving the admin listener sees the same logins, so several `serve` tasks behind
// one address need no sticky sessions, and a restart keeps operators logged in. The store keeps only hashes;
// the CSRF token is derived from the cookie value, so it is never stored either. One-time login codes (the
// sandbox's start link) live here too: single use across processes, valid 10 minutes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock';
import type { Sql } from '../../store/sql';

export interface ConsoleSession {
  readonly id: string;
  readonly operator: string;
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface ConsoleSessionOptions {
  readonly db: Sql;
  readonly clock: Clock;
  /** How long a login lasts. Default 8 h. */
  readonly ttlMs?: number;
  /** How long a one-time login code is valid. Default 10 min (issue 14). */
  readonly codeTtlMs?: number;
}

export const LOGIN_CODE_TTL_MS = 10 * 60_000;

function randomId(): string {
  return randomBytes(32).toString('base64url');
}

function hashOf(purpose: string, value: string): string {
  return createHash('sha256').update(`${purpose}\n${value}`).digest('base64url');
}

/** Constant-time string equality (length first: timingSafeEqual throws on unequal lengths). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Session ids are 43 base64url characters (32 random bytes): anything else is not looked up. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export class ConsoleSessions {
  private readonly ttlMs: number;
  private readonly codeTtlMs: number;

  constructor(private readonly options: ConsoleSessionOptions) {
    this.ttlMs = options.ttlMs ?? 8 * 3600_000;
    this.codeTtlMs = options.codeTtlMs ?? LOGIN_CODE_TTL_MS;
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  private session(id: string, operator: string, expiresAt: number): ConsoleSession {
    return { id, operator, csrf: hashOf('console-csrf', id), expiresAt };
  }

  async start(operator: string): Promise<ConsoleSession> {
    const now = this.now();
    const id = randomId();
    const expiresAt = now + this.ttlMs;
    await this.options.db.batch([
      // Ended logins go as new ones begin: the table holds only live ones (and those not yet swept).
      { text: 'DELETE FROM console_logins WHERE expires_at <= $1', params: [new Date(now).toISOString()] },
      {
        text: 'INSERT INTO console_logins (id_hash, operator, created_at, expires_at) VALUES ($1, $2, $3, $4)',
        params: [
          hashOf('console-login', id),
          operator,
          new Date(now).toISOString(),
          new Date(expiresAt).toISOString(),
        ],
      },
    ]);
    return this.session(id, operator, expiresAt);
  }

  async find(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (!id || !SESSION_ID.test(id)) return undefined;
    const { rows } = await this.options.db.query<{ operator: string; expires_at: Date | string }>(
      'SELECT operator, expires_at FROM console_logins WHERE id_hash = $1 AND expires_at > $2',
      [hashOf('console-login', id), new Date(this.now()).toISOString()],
    );
    const row = rows[0];
    return row ? this.session(id, row.operator, new Date(row.expires_at).getTime()) : undefined;
  }

  async end(id: string | undefined): Promise<void> {
    if (!id) return;
    await this.options.db.query('DELETE FROM console_logins WHERE id_hash = $1', [
      hashOf('console-login', id),
    ]);
  }

  /** A single-use login code for `operator`, valid 10 minutes. */
  async issueCode(operator: string): Promise<string> {
    const now = this.now();
    const code = randomId();
    await this.options.db.batch([
      {
        text: 'DELETE FROM console_login_codes WHERE expires_at <= $1',
        params: [new Date(now).toISOString()],
      },
      {
        text: 'INSERT INTO console_login_codes (code_hash, operator, expires_at) VALUES ($1, $2, $3)',
        params: [hashOf('console-code', code), operator, new Date(now + this.codeTtlMs).toISOString()],
      },
    ]);
    return code;
  }

  /** The operator of a valid unused code, which is used up by this call (in every process); else undefined. */
  async redeemCode(code: string): Promise<string | undefined> {
    const { rows } = await this.options.db.query<{ operator: string; expires_at: Date | string }>(
      'DELETE FROM console_login_codes WHERE code_hash = $1 RETURNING operator, expires_at',
      [hashOf('console-code', code)],
    );
    const row = rows[0];
    return row && new Date(row.expires_at).getTime() > this.now() ? row.operator : undefined;
  }
}
