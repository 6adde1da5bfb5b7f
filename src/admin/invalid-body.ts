// The admin API's answer to a mutating call whose JSON body is wrong: the refusal is audited like any other
// outcome (outcome `invalid`, the problems as detail), then 422 invalid_body lists every problem.
import type { Request, Response } from 'express';
import { sendProblem } from '../http/problem';
import type { AuditEntry } from './audit';

/** The request's JSON body as a record; `{}` when it is not an object. */
export function jsonBody(req: Request): Record<string, unknown> {
  return (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
}

export async function refuseInvalidBody(
  res: Response,
  audit: (entry: AuditEntry) => Promise<void>,
  entry: Pick<AuditEntry, 'operator' | 'action' | 'target'>,
  errors: readonly string[],
): Promise<void> {
  await audit({ ...entry, outcome: 'invalid', detail: { errors } });
  sendProblem(res, {
    status: 422,
    code: 'invalid_body',
    title: 'The request body is invalid',
    detail: errors.join('; '),
  });
}
