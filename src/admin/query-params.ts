// Strict readers for admin query strings: a bad value is a 400 `invalid_query` naming the parameter, never a
// silently ignored filter.
import type { Request, Response } from 'express';
import { sendProblem } from '../http/problem';

export class QueryError extends Error {}

export function text(q: Request['query'], name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new QueryError(`${name} must be given once, not empty`);
  return v;
}

export function instant(q: Request['query'], name: string): Date | undefined {
  const v = text(q, name);
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms))
    throw new QueryError(`${name} must be an ISO-8601 instant, e.g. 2026-12-01T00:00:00Z`);
  return new Date(ms);
}

export function count(q: Request['query'], name: string, max: number, min = 0): number | undefined {
  const v = text(q, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > max || Number(v) < min)
    throw new QueryError(`${name} must be an integer from ${min} to ${max}`);
  return Number(v);
}

export function oneOf<T extends string>(
  q: Request['query'],
  name: string,
  allowed: readonly T[],
): T | undefined {
  const v = text(q, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new QueryError(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

export function badQuery(res: Response, detail: string): void {
  sendProblem(res, { status: 400, code: 'invalid_query', title: 'The request is invalid', detail });
}

/** Wraps an async handler: a QueryError becomes the 400 problem; anything else goes to the error handler. */
export function withQuery(fn: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await fn(req, res);
    } catch (err) {
      if (err instanceof QueryError) return badQuery(res, err.message);
      throw err;
    }
  };
}
