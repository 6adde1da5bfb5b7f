// `webhooks register|list|delete|rotate` against the real emulator over HTTP (vipps-protocol.md §2).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WEBHOOK_EVENTS } from '../../src/vipps/webhook-events';
import { MSN, PUBLIC_URL, startCliHarness, type CliHarness } from './cli-harness';

describe('checkin-gateway webhooks', () => {
  let h: CliHarness;
  let dir: string;
  beforeEach(async () => {
    h = await startCliHarness();
    dir = await mkdtemp(join(tmpdir(), 'cli-webhooks-'));
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const registrations = () => [...h.emulator.state.webhooks.values()];

  describe('register', () => {
    it('registers PUBLIC_WEBHOOK_URL for the lanes file MSN with the default events and prints id and secret once', async () => {
      const r = await h.run(['webhooks', 'register']);
      expect(r.code).toBe(0);
      const [reg] = registrations();
      expect(registrations()).toHaveLength(1);
      expect(reg).toMatchObject({ msn: MSN, url: PUBLIC_URL, events: [...DEFAULT_WEBHOOK_EVENTS] });
      expect(DEFAULT_WEBHOOK_EVENTS).toHaveLength(9);
      expect(r.out).toBe(
        [
          `registered webhook ${reg?.id} for MSN ${MSN}: ${PUBLIC_URL}`,
          `events: ${DEFAULT_WEBHOOK_EVENTS.join(', ')}`,
          `secret: ${reg?.secret}`,
          'Vipps shows this secret only once: store it now.',
          'Next: add the secret to VIPPS_WEBHOOK_SECRETS (comma-separated) and restart the gateway, so it accepts deliveries signed with it.',
          '',
        ].join('\n'),
      );
      expect(r.err).toBe('');
    });

    it('writes the secret to a new 0600 file instead of printing it, and refuses to overwrite that file', async () => {
      const file = join(dir, 'webhook.secret');
      const r = await h.run([
        'webhooks',
        'register',
        '--secret-file',
        file,
        '--events',
        'user.checked-in.v1',
      ]);
      expect(r.code).toBe(0);
      const [reg] = registrations();
      expect(reg?.events).toEqual(['user.checked-in.v1']);
      expect(await readFile(file, 'utf8')).toBe(`${reg?.secret}\n`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(r.out).toContain(`secret written to ${file} (mode 0600)`);
      expect(r.out + r.err).not.toContain(reg?.secret as string);

      const again = await h.run(['webhooks', 'register', '--secret-file', file, '--url', PUBLIC_URL]);
      expect(again.code).toBe(1);
      expect(again.err).toBe(
        `error: ${file} already exists: refusing to overwrite a secret file; choose a new path or remove it\n`,
      );
      expect(registrations()).toHaveLength(1); // refused before registering: no secret lost
      expect(await readFile(file, 'utf8')).toBe(`${reg?.secret}\n`);
    });

    it('accepts events as a comma list or repeated, and warns when --url is not PUBLIC_WEBHOOK_URL', async () => {
      const other = 'https://other.example.com/hook';
      const r = await h.run([
        'webhooks',
        'register',
        '--url',
        other,
        '--events',
        'epayments.payment.authorized.v1,epayments.payment.captured.v1',
        '--events',
        'user.checked-in.v1',
      ]);
      expect(r.code).toBe(0);
      expect(registrations()[0]).toMatchObject({
        url: other,
        events: ['epayments.payment.authorized.v1', 'epayments.payment.captured.v1', 'user.checked-in.v1'],
      });
      expect(r.err).toBe(
        `warning: ${other} is not PUBLIC_WEBHOOK_URL (${PUBLIC_URL}); the gateway signs over PUBLIC_WEBHOOK_URL ` +
          '(vipps-protocol.md §1.2), so the gateway serving this URL must be configured with it\n',
      );
    });

    it('reports a Vipps rejection and exits 1, removing the unused secret file', async () => {
      const file = join(dir, 'rejected.secret');
      const r = await h.run(['webhooks', 'register', '--events', 'no.such.event.v1', '--secret-file', file]);
      expect(r.code).toBe(1);
      // Vipps's detail follows the message on its own line (the emulator points at extraDetails, as Vipps does).
      expect(r.err).toMatch(
        /^error: Vipps webhooks\.register failed: HTTP 400 Bad Request \[traceId [^\]]+\]\n {2}\S/,
      );
      await expect(stat(file)).rejects.toThrow(/ENOENT/);
    });

    it('needs --msn when the lanes file has several MSNs, and validates it', async () => {
      const lanes = join(dir, 'two-msns.yaml');
      await writeFile(
        lanes,
        [
          'lanes:',
          "  - {id: a, kind: vending, msn: '123456', description: A, currency: NOK, maxAmount: 1000}",
          "  - {id: b, kind: vending, msn: '654321', description: B, currency: NOK, maxAmount: 1000}",
          '',
        ].join('\n'),
      );
      const r = await h.run(['webhooks', 'register', '--lanes', lanes]);
      expect(r.code).toBe(2);
      expect(r.err.split('\n')[0]).toBe('the lanes file has several MSNs (123456, 654321): pass --msn');
      const bad = await h.run(['webhooks', 'register', '--msn', '12ab']);
      expect(bad.code).toBe(2);
      expect(bad.err.split('\n')[0]).toBe('--msn must be 4-7 digits, got "12ab"');
      const ok = await h.run(['webhooks', 'register', '--lanes', lanes, '--msn', '654321']);
      expect(ok.code).toBe(0);
      expect(registrations().map((w) => w.msn)).toEqual(['654321']);
      expect(registrations()).toHaveLength(1);
    });

    it('refuses an http URL outside the sandbox before contacting Vipps', async () => {
      const r = await h.run(['webhooks', 'register', '--url', 'http://gateway.example.com/webhooks/vipps'], {
        env: {
          VIPPS_ENV: 'test',
          VIPPS_BASE_URL: '',
          VIPPS_CLIENT_ID: 'id',
          VIPPS_CLIENT_SECRET: 'client-secret',
          VIPPS_SUBSCRIPTION_KEY: 'sub-key',
        },
      });
      expect(r.code).toBe(2);
      expect(r.err.split('\n')[0]).toBe('--url must be an https URL when VIPPS_ENV=test');
    });
  });

  it('lists registrations as JSON without secrets, and as text', async () => {
    await h.run(['webhooks', 'register']);
    await h.run([
      'webhooks',
      'register',
      '--url',
      'https://b.example.com/h',
      '--events',
      'user.checked-in.v1',
    ]);
    const r = await h.run(['webhooks', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(
      registrations().map((w) => ({ id: w.id, msn: MSN, url: w.url, events: w.events })),
    );
    for (const w of registrations()) expect(r.out).not.toContain(w.secret);
    const text = await h.run(['webhooks', 'list']);
    expect(text.out).toBe(
      registrations()
        .map((w) => `${w.id}  ${w.url}  ${w.events.join(',')}\n`)
        .join(''),
    );
  });

  it('lists nothing for a sales unit without registrations', async () => {
    const r = await h.run(['webhooks', 'list']);
    expect(r).toMatchObject({ code: 0, out: `no webhooks registered for MSN ${MSN}\n` });
    expect(JSON.parse((await h.run(['webhooks', 'list', '--json'])).out)).toEqual([]);
  });

  it('deletes a registration by id, and exits 1 for an unknown id', async () => {
    await h.run(['webhooks', 'register']);
    const id = registrations()[0]?.id as string;
    const r = await h.run(['webhooks', 'delete', id]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `deleted webhook ${id} for MSN ${MSN}; remove its secret from VIPPS_WEBHOOK_SECRETS\n`,
    );
    expect(registrations()).toHaveLength(0);
    const again = await h.run(['webhooks', 'delete', id]);
    expect(again.code).toBe(1);
    expect(again.err).toBe(
      `error: no webhook ${id} for MSN ${MSN} (see \`checkin-gateway webhooks list --msn ${MSN}\`)\n`,
    );
  });

  describe('rotate', () => {
    async function registerOld(events = 'user.checked-in.v1,epayments.payment.authorized.v1') {
      await h.run(['webhooks', 'register', '--events', events]);
      return registrations()[0]!;
    }

    it('with --yes registers a copy of the old registration, shows the new secret and deletes the old one', async () => {
      const old = await registerOld();
      const r = await h.run(['webhooks', 'rotate', '--yes']);
      expect(r.code).toBe(0);
      expect(registrations()).toHaveLength(1);
      const [fresh] = registrations();
      expect(fresh).toMatchObject({ msn: MSN, url: old.url, events: old.events });
      expect(fresh?.id).not.toBe(old.id);
      expect(r.out).toContain(`secret: ${fresh?.secret}\n`);
      expect(r.out).toContain(
        'Next: add the new secret to VIPPS_WEBHOOK_SECRETS (comma-separated, keep the old one), restart or reload the gateway, then confirm.\n',
      );
      expect(r.out).toContain(
        `deleted old webhook ${old.id}; remove its secret from VIPPS_WEBHOOK_SECRETS\n`,
      );
      expect(r.questions).toEqual([]);
    });

    it('asks before deleting the old registration and keeps it on "n"', async () => {
      const old = await registerOld();
      const r = await h.run(['webhooks', 'rotate'], { answers: ['n'] });
      expect(r.code).toBe(0);
      expect(r.questions).toEqual([`Delete old webhook ${old.id}? [y/N] `]);
      expect(registrations()).toHaveLength(2);
      expect(r.out).toContain(
        `kept old webhook ${old.id}; once the gateway accepts the new secret, delete it with ` +
          `\`checkin-gateway webhooks delete ${old.id} --msn ${MSN}\``,
      );
    });

    it('deletes the old registration on "y", writing the new secret to --secret-file', async () => {
      const old = await registerOld();
      const file = join(dir, 'new.secret');
      const r = await h.run(['webhooks', 'rotate', '--id', old.id, '--secret-file', file], {
        answers: [' Y '],
      });
      expect(r.code).toBe(0);
      const [fresh] = registrations();
      expect(registrations()).toHaveLength(1);
      expect(fresh?.id).not.toBe(old.id);
      expect(await readFile(file, 'utf8')).toBe(`${fresh?.secret}\n`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(r.out).not.toContain(fresh?.secret as string);
    });

    it('keeps the old registration when nobody can be asked (non-interactive, no --yes)', async () => {
      const old = await registerOld();
      const r = await h.run(['webhooks', 'rotate']);
      expect(r.code).toBe(0);
      expect(registrations().map((w) => w.id)).toContain(old.id);
      expect(registrations()).toHaveLength(2);
      expect(r.out).toContain(`kept old webhook ${old.id}`);
    });

    it('explains the one-check-in-registration limit when Vipps refuses the overlap', async () => {
      await h.close();
      h = await startCliHarness({ webhookLimits: { checkedIn: 1 } });
      const old = await registerOld();
      const r = await h.run(['webhooks', 'rotate', '--yes']);
      expect(r.code).toBe(1);
      expect(registrations().map((w) => w.id)).toEqual([old.id]);
      expect(r.err).toContain(
        'Vipps allows one user.checked-in.v1 registration per sales unit, so this one cannot overlap: ' +
          `delete the old one first (\`webhooks delete ${old.id} --msn ${MSN}\`), then \`webhooks register\``,
      );
    });

    it('needs --id when several registrations share the URL, and fails when none matches', async () => {
      const none = await h.run(['webhooks', 'rotate', '--yes']);
      expect(none.code).toBe(1);
      expect(none.err).toBe(
        `error: no webhook registered for ${PUBLIC_URL} for this MSN: see \`webhooks list\`, or use \`webhooks register\`\n`,
      );
      await registerOld('user.checked-in.v1');
      await h.run(['webhooks', 'register', '--events', 'epayments.payment.created.v1']);
      const ids = registrations().map((w) => w.id);
      const r = await h.run(['webhooks', 'rotate', '--yes']);
      expect(r.code).toBe(2);
      expect(r.err.split('\n')[0]).toBe(
        `2 webhooks are registered for ${PUBLIC_URL}: pass --id (${ids.join(', ')})`,
      );
      expect(registrations()).toHaveLength(2);
    });
  });

  describe('usage', () => {
    it.each(['register', 'list', 'delete', 'rotate'])(
      'webhooks %s --help prints its usage and exits 0',
      async (name) => {
        const r = await h.run(['webhooks', name, '--help']);
        expect(r.code).toBe(0);
        expect(r.out).toMatch(new RegExp(`^Usage: checkin-gateway webhooks ${name}`));
      },
    );

    it('exits 2 on a missing id, an unknown option and conflicting options', async () => {
      const noId = await h.run(['webhooks', 'delete']);
      expect(noId.code).toBe(2);
      expect(noId.err).toMatch(
        /^the webhook id is required \(see `webhooks list`\)\nUsage: checkin-gateway webhooks delete <id>/,
      );
      const unknown = await h.run(['webhooks', 'list', '--all']);
      expect(unknown.code).toBe(2);
      expect(unknown.err).toMatch(
        /^Unknown option '--all'.*\nUsage: checkin-gateway webhooks list \[--msn MSN\]/,
      );
      const both = await h.run(['webhooks', 'rotate', '--id', 'x', '--url', PUBLIC_URL]);
      expect(both.code).toBe(2);
      expect(both.err.split('\n')[0]).toBe('pass --id or --url, not both');
      expect(registrations()).toHaveLength(0);
    });
  });
});
