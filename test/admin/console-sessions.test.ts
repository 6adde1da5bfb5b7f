// Console logins in memory and their cookie: one-time codes are single use and last 10 minutes, logins end
// at their lifetime, a flood of logins cannot grow memory, and the cookie is Secure when the request was https.
import express from 'express';
import request from 'supertest';
import { FakeClock } from '../../src/clock';
import { ConsoleSessions, LOGIN_CODE_TTL_MS } from '../../src/admin/console/console-sessions';
import { SESSION_COOKIE, setCookie } from '../../src/admin/console/cookies';

describe('console sessions', () => {
  it('a login code works once', () => {
    const s = new ConsoleSessions({ clock: new FakeClock() });
    const code = s.issueCode('local');
    expect(s.redeemCode(code)).toBe('local');
    expect(s.redeemCode(code)).toBeUndefined();
  });

  it('a login code expires after 10 minutes', () => {
    const clock = new FakeClock();
    const s = new ConsoleSessions({ clock });
    const early = s.issueCode('local');
    const late = s.issueCode('local');
    clock.advance(LOGIN_CODE_TTL_MS - 1);
    expect(s.redeemCode(early)).toBe('local');
    clock.advance(1);
    expect(s.redeemCode(late)).toBeUndefined();
    expect(LOGIN_CODE_TTL_MS).toBe(600_000);
  });

  it('a login ends at its lifetime and on logout; ids and CSRF tokens are random', () => {
    const clock = new FakeClock();
    const s = new ConsoleSessions({ clock, ttlMs: 1000 });
    const a = s.start('alice');
    const b = s.start('alice');
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(b.csrf);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.find(a.id)?.operator).toBe('alice');
    s.end(b.id);
    expect(s.find(b.id)).toBeUndefined();
    clock.advance(1000);
    expect(s.find(a.id)).toBeUndefined();
    expect(s.find(undefined)).toBeUndefined();
  });

  it('keeps at most maxSessions logins, dropping the oldest', () => {
    const s = new ConsoleSessions({ clock: new FakeClock(), maxSessions: 3 });
    const ids = Array.from({ length: 5 }, () => s.start('x').id);
    expect(ids.map((id) => s.find(id) !== undefined)).toEqual([false, false, true, true, true]);
  });
});

describe('console cookie', () => {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.get('/c', (req, res) => {
    setCookie(req, res, SESSION_COOKIE, 'v', 60);
    res.end();
  });

  it('is HttpOnly, SameSite=Strict and scoped to /console; Secure over https', async () => {
    const https = await request(app).get('/c').set('X-Forwarded-Proto', 'https');
    expect(https.headers['set-cookie']).toEqual([
      'cg_console=v; Path=/console; HttpOnly; SameSite=Strict; Max-Age=60; Secure',
    ]);
    const http = await request(app).get('/c');
    expect(http.headers['set-cookie']).toEqual([
      'cg_console=v; Path=/console; HttpOnly; SameSite=Strict; Max-Age=60',
    ]);
  });
});
