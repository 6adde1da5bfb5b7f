// Operator authentication of the admin listener: OPERATOR_TOKENS (plain and sha256), ADMIN_TOKEN, the local
// token file; the admin API is not on the public port; each caller's label is what the audit trail records.
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureLocalToken, localTokenPath, readLocalToken } from '../../src/admin/local-token';
import { parseOperatorTokens } from '../../src/admin/operator-tokens';
import { createOperatorAuth } from '../../src/admin/auth';
import { ConfigError, loadConfig } from '../../src/config';
import { startE2e, type E2e } from '../e2e/harness';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-fedcba9876543210xyz';
const bobHash = createHash('sha256').update(BOB).digest('hex');

describe('OPERATOR_TOKENS', () => {
  it('reads plain and sha256 entries, each with its label', () => {
    const { entries, problems } = parseOperatorTokens(`alice:${ALICE}, bob:sha256:${bobHash.toUpperCase()}`);
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.label, e.sha256, e.plain])).toEqual([
      ['alice', createHash('sha256').update(ALICE).digest('hex'), ALICE],
      ['bob', bobHash, undefined],
    ]);
  });

  it('names every bad entry by position and label, never with its token', () => {
    const secretish = 'short-secret';
    const { entries, problems } = parseOperatorTokens(
      `alice:${secretish},,nocolon,bad label:${ALICE},bob:sha256:abc,local:${ALICE},carol:${ALICE},carol:${BOB}`,
    );
    expect(entries.map((e) => e.label)).toEqual(['carol']);
    expect(parseOperatorTokens(',')).toEqual({ entries: [], problems: [] });
    expect(problems).toEqual([
      'entry 1 (alice): the token must be at least 16 characters',
      'entry 3 is not label:token or label:sha256:<hex>',
      'entry 4: the label must be 1-64 of A-Z a-z 0-9 _ . @ - (starting alphanumeric)',
      'entry 5 (bob): sha256: must be followed by 64 hex digits',
      'entry 6: the label "local" is the gateway\'s own local token',
      'entry 8: the label "carol" is given twice',
    ]);
    expect(problems.join(' ')).not.toContain(secretish);
  });

  it('stops the start with a ConfigError naming OPERATOR_TOKENS', () => {
    let error: unknown;
    try {
      loadConfig({ VIPPS_ENV: 'sandbox', DATA_DIR: 'memory://', OPERATOR_TOKENS: 'ops:tooshort' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('OPERATOR_TOKENS');
    expect((error as Error).message).toContain('entry 1 (ops): the token must be at least 16 characters');
    expect((error as Error).message).not.toContain('tooshort');
  });

  it('verifies by digest: plain, hashed, ADMIN_TOKEN and local tokens map to their labels', () => {
    const verify = createOperatorAuth({
      operatorTokens: parseOperatorTokens(`alice:${ALICE},bob:sha256:${bobHash}`).entries,
      adminToken: 'the-admin-token-0000',
      localToken: 'the-local-token-1111',
    });
    expect(verify(ALICE)).toEqual({ label: 'alice' });
    expect(verify(BOB)).toEqual({ label: 'bob' });
    expect(verify('the-admin-token-0000')).toEqual({ label: 'admin' });
    expect(verify('the-local-token-1111')).toEqual({ label: 'local' });
    expect(verify(bobHash)).toBeUndefined();
    expect(verify(`${ALICE}x`)).toBeUndefined();
    expect(verify('')).toBeUndefined();
  });
});

describe('the local token file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cg-local-token-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is written 0600 and kept across starts', async () => {
    const first = await ensureLocalToken(dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(localTokenPath(dir))).mode & 0o777).toBe(0o600);
    expect(await ensureLocalToken(dir)).toBe(first);
    expect(await readLocalToken(dir)).toBe(first);
  });

  it('is replaced when others can read it (the old token may have leaked), and not trusted meanwhile', async () => {
    const first = await ensureLocalToken(dir);
    await chmod(localTokenPath(dir), 0o644);
    expect(await readLocalToken(dir)).toBeUndefined();
    const second = await ensureLocalToken(dir);
    expect(second).not.toBe(first);
    expect((await stat(localTokenPath(dir))).mode & 0o777).toBe(0o600);
  });

  it('is replaced when malformed; memory:// has none', async () => {
    await writeFile(localTokenPath(dir), 'not a token\n', { mode: 0o600 });
    expect(await readLocalToken(dir)).toBeUndefined();
    expect(await ensureLocalToken(dir)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await ensureLocalToken('memory://')).toBeUndefined();
  });
});

describe('the admin listener', () => {
  let dataDir: string;
  let e2e: E2e;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cg-admin-auth-'));
    e2e = await startE2e({
      lanes: [{ id: 'vend-auth', kind: 'vending', maxAmount: 5000 }],
      dataDir,
      env: { OPERATOR_TOKENS: `alice:${ALICE},bob:sha256:${bobHash}` },
    });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const adminUrl = () => e2e.gateway.adminUrl ?? '';
  const get = (p: string, token?: string) =>
    fetch(`${adminUrl()}${p}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  /** A mutating call (audited): mints a controller token for the lane. */
  const mint = (token: string) =>
    fetch(`${adminUrl()}/admin/v1/controllers/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lane: 'vend-auth', ttl: '5m' }),
    });

  it('listens on its own port, on loopback by default', () => {
    expect(e2e.gateway.adminPort).toBeGreaterThan(0);
    expect(e2e.gateway.adminPort).not.toBe(e2e.gateway.port);
    expect(adminUrl()).toBe(`http://127.0.0.1:${e2e.gateway.adminPort}`);
  });

  it('answers 401 operator_token_required without a token or with a wrong one', async () => {
    for (const token of [undefined, 'wrong-token-0000000000', bobHash]) {
      const res = await get('/admin/v1/lanes', token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="checkin-gateway-admin"');
      expect(await res.json()).toEqual({
        type: 'https://checkin-gateway.dev/problems/operator_token_required',
        title: 'Missing or wrong operator token',
        status: 401,
        code: 'operator_token_required',
        detail:
          'send Authorization: Bearer <token> (an OPERATOR_TOKENS token, ADMIN_TOKEN or DATA_DIR/admin-token)',
      });
    }
    // The CLI's older paths are guarded the same way.
    expect((await get('/admin/queue/stats')).status).toBe(401);
    expect((await get('/admin/payments')).status).toBe(401);
  });

  it('takes a plain, a hashed, the ADMIN_TOKEN and the local token, and audits each by its label', async () => {
    const local = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    expect((await stat(path.join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
    for (const token of [ALICE, BOB, e2e.adminToken, local]) {
      expect((await get('/admin/v1/lanes', token)).status).toBe(200);
      expect((await mint(token)).status).toBe(201);
    }
    const audit = (await (await get('/admin/v1/audit?limit=4', ALICE)).json()) as {
      entries: { operator: string; action: string; target: string; outcome: string }[];
    };
    expect(audit.entries.map((e) => [e.operator, e.action, e.target, e.outcome])).toEqual([
      ['local', 'controller.token', 'vend-auth', 'ok'],
      ['admin', 'controller.token', 'vend-auth', 'ok'],
      ['bob', 'controller.token', 'vend-auth', 'ok'],
      ['alice', 'controller.token', 'vend-auth', 'ok'],
    ]);
  });

  it('refuses a bad token request with 422 invalid_body, audited as invalid, and mints nothing', async () => {
    const res = await fetch(`${adminUrl()}/admin/v1/controllers/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lane: '', ttl: 'soon', key: 0 }),
    });
    expect(res.status).toBe(422);
    const errors = [
      'lane must be a lane id',
      'ttl must be seconds or e.g. 1h, 30m, 45s',
      'key must be a 1-based CONTROLLER_JWT_KEYS entry number',
    ];
    expect(await res.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/invalid_body',
      title: 'The request body is invalid',
      status: 422,
      code: 'invalid_body',
      detail: errors.join('; '),
    });
    const audit = (await (await get('/admin/v1/audit?limit=1', ALICE)).json()) as {
      entries: { operator: string; action: string; target: string; outcome: string; detail: unknown }[];
    };
    expect(audit.entries.map((e) => [e.operator, e.action, e.target, e.outcome, e.detail])).toEqual([
      ['alice', 'controller.token', '', 'invalid', { errors }],
    ]);
  });

  it('is not reachable on the public port, not even with a valid token', async () => {
    for (const p of ['/admin/v1/lanes', '/admin/queue/stats', '/admin/payments', '/admin/v1/config']) {
      const res = await fetch(`${e2e.gateway.url}${p}`, { headers: { authorization: `Bearer ${ALICE}` } });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('not_found');
    }
  });

  it('publishes the admin URL in the DATA_DIR lock for the CLI', async () => {
    const lock = JSON.parse(await readFile(path.join(dataDir, '.gateway.lock'), 'utf8')) as {
      adminUrl: string;
    };
    expect(lock.adminUrl).toBe(adminUrl());
  });
});
