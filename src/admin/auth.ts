// Operator authentication of the admin listener: OPERATOR_TOKENS entries, ADMIN_TOKEN (label `admin`) and
// the local token file (label `local`). Every comparison is SHA-256 digest to digest with timingSafeEqual,
// over every entry (no early exit), so neither the token nor which entry matched shows in the timing.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from '../http/problem';
import { sha256, type OperatorTokenEntry } from './operator-tokens';

export interface Operator {
  readonly label: string;
}

export type VerifyOperatorToken = (token: string) => Operator | undefined;

export interface OperatorAuthOptions {
  readonly operatorTokens: readonly OperatorTokenEntry[];
  readonly adminToken?: string | undefined;
  readonly localToken?: string | undefined;
}

/** Builds the verifier once (plain tokens hashed at start). */
export function createOperatorAuth(options: OperatorAuthOptions): VerifyOperatorToken {
  const entries: { label: string; sha256: Buffer }[] = options.operatorTokens.map((e) => ({
    label: e.label,
    sha256: Buffer.from(e.sha256, 'hex'),
  }));
  if (options.adminToken) entries.push({ label: 'admin', sha256: sha256(options.adminToken) });
  if (options.localToken) entries.push({ label: 'local', sha256: sha256(options.localToken) });
  return (token) => {
    if (token === '') return undefined;
    const given = sha256(token);
    let found: string | undefined;
    for (const e of entries) {
      if (timingSafeEqual(given, e.sha256) && found === undefined) found = e.label;
    }
    return found === undefined ? undefined : { label: found };
  };
}

/** The Bearer token of a request, or '' when there is none. */
export function bearerToken(req: Request): string {
  const header = req.get('authorization') ?? '';
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? '';
}

/** res.locals.operator = the token's label; otherwise 401 `operator_token_required`. */
export function requireOperator(verify: VerifyOperatorToken) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const operator = verify(bearerToken(req));
    if (!operator) {
      sendProblem(
        res,
        {
          status: 401,
          code: 'operator_token_required',
          title: 'Missing or wrong operator token',
          detail:
            'send Authorization: Bearer <token> (an OPERATOR_TOKENS token, ADMIN_TOKEN or DATA_DIR/admin-token)',
        },
        { 'WWW-Authenticate': 'Bearer realm="checkin-gateway-admin"' },
      );
      return;
    }
    res.locals['operator'] = operator.label;
    next();
  };
}

/** The label requireOperator put on the response (`unknown` outside it). */
export function operatorOf(res: Response): string {
  const v: unknown = res.locals['operator'];
  return typeof v === 'string' ? v : 'unknown';
}
