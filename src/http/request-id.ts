// Every request gets an id (the caller's X-Request-Id when it is a safe token, else a new UUID), echoed back
// and attached to a child logger so one delivery can be followed through the logs.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function requestId(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    const id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.locals.requestId = id;
    res.locals.log = logger.child({ requestId: id });
    next();
  };
}

export function requestLogger(req: Request, res: Response): Logger {
  return (res.locals.log as Logger | undefined) ?? (req.app.locals.logger as Logger);
}
