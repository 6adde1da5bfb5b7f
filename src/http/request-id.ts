// Every request gets an id (the caller's X-Request-Id when it is a safe token, else a new UUID), echoed back
// and attached to a child logger so one delivery can be followed through the logs. The child logger is made
// on first use: most requests log nothing, and intake runs thousands of them a second.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's X-Request-Id when it is a safe token, else a new UUID. */
export function chooseRequestId(incoming: string | undefined): string {
  return incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
}

export function requestId() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = chooseRequestId(req.get('x-request-id'));
    res.setHeader('X-Request-Id', id);
    res.locals.requestId = id;
    next();
  };
}

/** The request's logger, carrying its request id; made from `base` (default: the app's logger). */
export function requestLogger(req: Request, res: Response, base?: Logger): Logger {
  const cached = res.locals.log as Logger | undefined;
  if (cached) return cached;
  base ??= req.app.locals.logger as Logger;
  const id = res.locals.requestId as string | undefined;
  const log = id === undefined ? base : base.child({ requestId: id });
  res.locals.log = log;
  return log;
}
