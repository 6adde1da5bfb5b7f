// Who may see a console page and who may act: a page needs a login (else to the login form); a POST needs the
// login and the session's CSRF token in its `_csrf` field, else 403 `csrf_token_invalid` and nothing is done.
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from '../../http/problem';
import { SESSION_COOKIE, readCookie } from './cookies';
import { sameText, type ConsoleSession, type ConsoleSessions } from './console-sessions';

/** The login of this request (set by requireLogin). */
export function consoleSession(res: Response): ConsoleSession {
  return res.locals['consoleSession'] as ConsoleSession;
}

export function sendCsrfRefusal(res: Response): void {
  sendProblem(res, {
    status: 403,
    code: 'csrf_token_invalid',
    title: 'Missing or wrong CSRF token',
    detail: 'the form was not sent by this console session; reload the page and try again',
  });
}

export function requireLogin(sessions: ConsoleSessions) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const session = await sessions.find(readCookie(req, SESSION_COOKIE));
    if (session) {
      res.locals['consoleSession'] = session;
      res.locals['operator'] = session.operator;
      next();
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.redirect(303, '/console/login');
      return;
    }
    sendProblem(res, {
      status: 401,
      code: 'console_login_required',
      title: 'Log in to the console first',
      detail: 'open /console/login',
    });
  };
}

/** The `_csrf` field of a urlencoded body, compared in constant time with the session's token. */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const given = body['_csrf'];
  const session = res.locals['consoleSession'] as ConsoleSession | undefined;
  if (!session || typeof given !== 'string' || !sameText(given, session.csrf)) {
    sendCsrfRefusal(res);
    return;
  }
  next();
}
