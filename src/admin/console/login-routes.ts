// Logging in to the console: an operator token typed into a form (checked by the admin API's verifier), or
// the sandbox's one-time link (/console/login/once?t=…). Either starts a server-side session whose random id
// is the only thing the browser holds. Logging in and out is audited like every other operator action.
import express, { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { randomBytes } from 'node:crypto';
import type { VerifyOperatorToken } from '../auth';
import { LOGIN_COOKIE, SESSION_COOKIE, clearCookie, readCookie, setCookie } from './cookies';
import { sameText, type ConsoleSessions } from './console-sessions';
import { consoleSession, requireCsrf, requireLogin, sendCsrfRefusal } from './guard';
import { html } from './html';
import { csrfField, page } from './layout';

export interface LoginDeps {
  readonly sessions: ConsoleSessions;
  readonly verifyOperatorToken: VerifyOperatorToken;
  /** Writes the audit row of a login or logout. */
  readonly audit: (operator: string, action: string, outcome: string) => Promise<void>;
  /** Session lifetime in seconds, for the cookie's Max-Age. */
  readonly sessionTtlS: number;
  /** Failed logins allowed per address per minute before 429 (default 10). */
  readonly failedLoginsPerMin?: number;
}

function loginPage(formToken: string, problem?: string): string {
  return page({
    title: 'Log in',
    nav: 'login',
    body: html`<div class="login">
      ${problem ? html`<p class="notice bad" role="alert">${problem}</p>` : ''}
      <form method="post" action="/console/login" class="stack">
        ${csrfField(formToken)}
        <label for="token"
          >Operator token
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus
        /></label>
        <p class="muted">
          An OPERATOR_TOKENS token, ADMIN_TOKEN, or the local token in DATA_DIR/admin-token.
        </p>
        <button type="submit">Log in</button>
      </form>
    </div>`,
  });
}

function showLogin(req: Request, res: Response, status: number, problem?: string): void {
  const formToken = randomBytes(24).toString('base64url');
  setCookie(req, res, LOGIN_COOKIE, formToken, 600);
  res.status(status).type('html').send(loginPage(formToken, problem));
}

export function loginRouter(deps: LoginDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });
  // Guessing tokens is slowed per address (req.ip; TRUST_PROXY decides which): only failed attempts count.
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: deps.failedLoginsPerMin ?? 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res) =>
      showLogin(req, res, 429, 'Too many failed logins from this address; wait a minute.'),
  });
  const begin = async (req: Request, res: Response, operator: string): Promise<void> => {
    const session = await deps.sessions.start(operator);
    clearCookie(req, res, LOGIN_COOKIE);
    setCookie(req, res, SESSION_COOKIE, session.id, deps.sessionTtlS);
    res.redirect(303, '/console');
  };

  router.get('/console/login', (req, res) => showLogin(req, res, 200));

  router.post('/console/login', limiter, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const expected = readCookie(req, LOGIN_COOKIE);
    const given = body['_csrf'];
    if (!expected || typeof given !== 'string' || !sameText(given, expected)) return sendCsrfRefusal(res);
    const token = typeof body['token'] === 'string' ? body['token'] : '';
    const operator = deps.verifyOperatorToken(token);
    if (!operator) {
      await deps.audit('unknown', 'console.login', 'refused');
      return showLogin(req, res, 401, 'That token is not an operator token of this gateway.');
    }
    await deps.audit(operator.label, 'console.login', 'ok');
    await begin(req, res, operator.label);
  });

  router.get('/console/login/once', limiter, async (req, res) => {
    const code = typeof req.query['t'] === 'string' ? req.query['t'] : '';
    const operator = code ? await deps.sessions.redeemCode(code) : undefined;
    if (!operator) return showLogin(req, res, 401, 'That login link was used already or has expired.');
    await deps.audit(operator, 'console.login-link', 'ok');
    await begin(req, res, operator);
  });

  router.post('/console/logout', form, requireLogin(deps.sessions), requireCsrf, async (req, res) => {
    const session = consoleSession(res);
    await deps.sessions.end(session.id);
    clearCookie(req, res, SESSION_COOKIE);
    await deps.audit(session.operator, 'console.logout', 'ok');
    res.redirect(303, '/console/login');
  });
  return router;
}
