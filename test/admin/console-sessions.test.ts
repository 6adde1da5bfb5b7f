// Console logins in the store and their cookie: one-time codes are single use (across processes) and last 10
// minutes, logins end at their lifetime and are known to every process on the store, only hashes are stored,
// and the cookie is Secure when the request was https.
import express from 'express';
import request from 'supertest';
import { FakeClock } from '../../src/clock';
import { ConsoleSessions, LOGIN_CODE_TTL_MS } from '../../src/admin/console/console-sessions';
import { SESSION_COOKIE, setCookie } from '../../src/admin/console/cookies';
import type { Database } from '../../src/store/sql';
import { useTestDatabase } from '../support/use-test-database';

describe('console sessions', () => {
  let db: Database;
  useTestDatabase((d) => (db = d));
  const sessions = (clock: FakeClock, ttlMs?: number) =>
    new ConsoleSessions({ db, clock, ...(ttlMs === undefined ? {} : { ttlMs }) });

  it('a login code works once, also across two processes on one store', async () => {
    const clock = new FakeClock();
    const [a, b] = [sessions(clock), sessions(clock)];
    const code = await a.issueCode('local');
    expect(await Promise.all([a.redeemCode(code), b.redeemCode(code)])).toEqual(
      expect.arrayContaining(['local', undefined]),
    );
    expect(await a.redeemCode(code)).toBeUndefined();
    expect(await b.redeemCode('not-a-code')).toBeUndefined();
  });

  it('a login code expires after 10 minutes', async () => {
    const clock = new FakeClock();
    const s = sessions(clock);
    const early = await s.issueCode('local');
    const late = await s.issueCode('local');
    clock.advance(LOGIN_CODE_TTL_MS - 1);
    expect(await s.redeemCode(early)).toBe('local');
    clock.advance(1);
    expect(await s.redeemCode(late)).toBeUndefined();
    expect(LOGIN_CODE_TTL_MS).toBe(600_000);
  });

  it('a login ends at its lifetime and on logout; ids and CSRF tokens are random', async () => {
    const clock = new FakeClock();
    const s = sessions(clock, 1000);
    const a = await s.start('alice');
    const b = await s.start('alice');
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(b.csrf);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await s.find(a.id)).toEqual(a);
    await s.end(b.id);
    expect(await s.find(b.id)).toBeUndefined();
    clock.advance(1000);
    expect(await s.find(a.id)).toBeUndefined();
    expect(await s.find(undefined)).toBeUndefined();
    expect(await s.find("' OR 1=1 --")).toBeUndefined();
  });

  it('a login made by one process is known to another (no sticky sessions), with the same CSRF token', async () => {
    const clock = new FakeClock();
    const login = await sessions(clock).start('bob');
    expect(await sessions(clock).find(login.id)).toEqual(login);
  });

  it('stores only hashes: neither the cookie value, the CSRF token nor a code is in the tables', async () => {
    const clock = new FakeClock();
    const s = sessions(clock);
    const login = await s.start('carol');
    const code = await s.issueCode('carol');
    const { rows } = await db.query(
      'SELECT (SELECT json_agg(l) FROM console_logins l)::text AS logins, (SELECT json_agg(c) FROM console_login_codes c)::text AS codes',
    );
    const stored = JSON.stringify(rows);
    expect(stored).toContain('carol');
    for (const secret of [login.id, login.csrf, code]) expect(stored).not.toContain(secret);
  });

  it('sweeps ended logins as new ones start', async () => {
    const clock = new FakeClock();
    const s = sessions(clock, 1000);
    await s.start('dave');
    clock.advance(1000);
    await s.start('erin');
    const { rows } = await db.query<{ operator: string }>('SELECT operator FROM console_logins');
    expect(rows).toEqual([{ operator: 'erin' }]);
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
