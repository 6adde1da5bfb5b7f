// `webhooks register|list|delete|rotate` against the real emulator over HTTP (vipps-protocol.md §2).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSecretsText } from '../../src/intake/webhook-secrets-file';
import { CHECKED_IN_EVENT, EPAYMENT_WEBHOOK_EVENTS } from '../../src/vipps/webhook-events';
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
    it('registers PUBLIC_WEBHOOK_URL twice for the lanes file MSN, check-in and ePayment, and prints each id and secret once', async () => {
      const r = await h.run(['webhooks', 'register']);
      expect(r.code).toBe(0);
      expect(registrations()).toHaveLength(2);
      const [checkin, epayment] = registrations();
      expect(checkin).toMatchObject({ msn: MSN, url: PUBLIC_URL, events: [CHECKED_IN_EVENT] });
      expect(epayment).toMatchObject({ msn: MSN, url: PUBLIC_URL, events: [...EPAYMENT_WEBHOOK_EVENTS] });
      expect(EPAYMENT_WEBHOOK_EVENTS).toHaveLength(8);
      expect(r.out).toBe(
        [
          `registered webhook ${checkin?.id} for MSN ${MSN}: ${PUBLIC_URL}`,
          `events: ${CHECKED_IN_EVENT}`,
          `secret: ${checkin?.secret}`,
          'Vipps shows this secret only once: store it now.',
          `registered webhook ${epayment?.id} for MSN ${MSN}: ${PUBLIC_URL}`,
          `events: ${EPAYMENT_WEBHOOK_EVENTS.join(', ')}`,
          `secret: ${epayment?.secret}`,
          'Vipps shows this secret only once: store it now.',
          'Next: add the secret(s) to VIPPS_WEBHOOK_SECRETS (comma-separated) and restart the gateway, or put them in VIPPS_WEBHOOK_SECRETS_FILE (one a line; re-read without a restart).',
          '',
        ].join('\n'),
      );
      expect(r.err).toBe('');
    });

    it('registers one kind with --kind, and refuses --kind with --events or an unknown kind', async () => {
      const r = await h.run(['webhooks', 'register', '--kind', 'epayment']);
      expect(r.code).toBe(0);
      expect(registrations().map((w) => w.events)).toEqual([[...EPAYMENT_WEBHOOK_EVENTS]]);
      const both = await h.run(['webhooks', 'register', '--kind', 'checkin', '--events', CHECKED_IN_EVENT]);
      expect(both.code).toBe(2);
      expect(both.err.split('\n')[0]).toBe('pass --kind or --events, not both');
      const bad = await h.run(['webhooks', 'register', '--kind', 'all']);
      expect(bad.code).toBe(2);
      expect(bad.err.split('\n')[0]).toBe('--kind must be checkin or epayment, got "all"');
      expect(registrations()).toHaveLength(1);
    });

    it('with --apply adds both secrets to VIPPS_WEBHOOK_SECRETS_FILE (0600), never printing them', async () => {
      const file = join(dir, 'secrets');
      const r = await h.run(['webhooks', 'register', '--apply'], {
        env: { VIPPS_WEBHOOK_SECRETS_FILE: file },
      });
      expect(r.code).toBe(0);
      const [checkin, epayment] = registrations();
      const text = await readFile(file, 'utf8');
      expect(text).toContain(`# webhook ${checkin?.id} kind=checkin msn=${MSN}\n${checkin?.secret}\n`);
      expect(text).toContain(`# webhook ${epayment?.id} kind=epayment msn=${MSN}\n${epayment?.secret}\n`);
      expect(parseSecretsText(text)).toEqual([checkin?.secret, epayment?.secret]);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(r.out + r.err).not.toContain(checkin?.secret as string);
      expect(r.out).toContain(`secret added to ${file}; a gateway watching it accepts it now`);
      const unset = await h.run(['webhooks', 'register', '--apply']);
      expect(unset.code).toBe(2);
      expect(unset.err.split('\n')[0]).toMatch(
        /^--apply writes the secret to VIPPS_WEBHOOK_SECRETS_FILE, which is not set/,
      );
      expect(registrations()).toHaveLength(2);
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

      const again = await h.run(['webhooks', 'register', '--secret-file', file, '--kind', 'epayment']);
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
      expect(registrations().map((w) => w.msn)).toEqual(['654321', '654321']);
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
      'epayments.payment.captured.v1',
    ]);
    const kinds = ['checkin', 'epayment', 'epayment'];
    const r = await h.run(['webhooks', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(
      registrations().map((w, i) => ({ id: w.id, msn: MSN, kind: kinds[i], url: w.url, events: w.events })),
    );
    const checkins = await h.run(['webhooks', 'list', '--json', '--kind', 'checkin']);
    expect((JSON.parse(checkins.out) as Array<{ id: string }>).map((w) => w.id)).toEqual([
      registrations()[0]?.id,
    ]);
    for (const w of registrations()) expect(r.out).not.toContain(w.secret);
    const text = await h.run(['webhooks', 'list']);
    expect(text.out).toBe(
      registrations()
        .map((w, i) => `${w.id}  ${kinds[i]}  ${w.url}  ${w.events.join(',')}\n`)
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
    expect(registrations()).toHaveLength(1);
    const again = await h.run(['webhooks', 'delete', id]);
    expect(again.code).toBe(1);
    expect(again.err).toBe(
      `error: no webhook ${id} for MSN ${MSN} (see \`checkin-gateway webhooks list --msn ${MSN}\`)\n`,
    );
  });

  it('deletes the registration of a kind for the URL with --kind, removing its secret with --apply', async () => {
    const file = join(dir, 'secrets');
    const env = { VIPPS_WEBHOOK_SECRETS_FILE: file };
    await h.run(['webhooks', 'register', '--apply'], { env });
    const [checkin, epayment] = registrations();
    const r = await h.run(['webhooks', 'delete', '--kind', 'epayment', '--apply'], { env });
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `deleted webhook ${epayment?.id} for MSN ${MSN}; its secret is removed from ${file}\n`,
    );
    expect(registrations().map((w) => w.id)).toEqual([checkin?.id]);
    expect(parseSecretsText(await readFile(file, 'utf8'))).toEqual([checkin?.secret]);
  });

  describe('rotate', () => {
    const fault = (body: Record<string, unknown>): Promise<Response> =>
      fetch(`${h.emulator.url}/emulator/v1/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('epayment with --yes registers a copy first, shows the new secret, then deletes the old one', async () => {
      await h.run(['webhooks', 'register']);
      const [checkin, old] = registrations();
      const r = await h.run(['webhooks', 'rotate', '--kind', 'epayment', '--yes']);
      expect(r.code).toBe(0);
      expect(registrations()).toHaveLength(2);
      const fresh = registrations()[1];
      expect(registrations()[0]?.id).toBe(checkin?.id);
      expect(fresh).toMatchObject({ msn: MSN, url: old?.url, events: old?.events });
      expect(fresh?.id).not.toBe(old?.id);
      expect(r.out).toContain(`secret: ${fresh?.secret}\n`);
      expect(r.out.indexOf(`registered webhook ${fresh?.id}`)).toBeLessThan(
        r.out.indexOf(`deleted old webhook ${old?.id}`),
      );
      expect(r.questions).toEqual([]);
    });

    it('epayment asks before deleting the old registration and keeps it on "n" (and without a terminal)', async () => {
      await h.run(['webhooks', 'register', '--kind', 'epayment']);
      const old = registrations()[0]!;
      const r = await h.run(['webhooks', 'rotate', '--kind', 'epayment'], { answers: ['n'] });
      expect(r.code).toBe(0);
      expect(r.questions).toEqual([`Delete old webhook ${old.id}? [y/N] `]);
      expect(registrations()).toHaveLength(2);
      expect(r.out).toContain(
        `kept old webhook ${old.id}; once the gateway accepts the new secret, delete it with ` +
          `\`checkin-gateway webhooks delete ${old.id} --msn ${MSN}\``,
      );
      const quiet = await h.run(['webhooks', 'rotate', '--id', old.id]);
      expect(quiet.code).toBe(0);
      expect(registrations().map((w) => w.id)).toContain(old.id);
      expect(registrations()).toHaveLength(3);
    });

    it('checkin deletes the old registration first, then registers the new one (Vipps allows one), after asking', async () => {
      await h.run(['webhooks', 'register', '--kind', 'checkin']);
      const old = registrations()[0]!;
      const file = join(dir, 'new.secret');
      const r = await h.run(['webhooks', 'rotate', '--kind', 'checkin', '--secret-file', file], {
        answers: [' Y '],
      });
      expect(r.code).toBe(0);
      expect(r.questions).toEqual([
        `Vipps allows one check-in registration per sales unit: delete webhook ${old.id} first, then register ` +
          'the new one (check-ins fail in between)? [y/N] ',
      ]);
      const [fresh] = registrations();
      expect(registrations()).toHaveLength(1);
      expect(fresh).toMatchObject({ url: old.url, events: [CHECKED_IN_EVENT] });
      expect(fresh?.id).not.toBe(old.id);
      expect(await readFile(file, 'utf8')).toBe(`${fresh?.secret}\n`);
      expect(r.out).not.toContain(fresh?.secret as string);
      expect(r.err).toContain('warning: without --apply, check-ins fail from the deletion until');
    });

    it('checkin changes nothing without --yes when nobody can be asked', async () => {
      await h.run(['webhooks', 'register', '--kind', 'checkin']);
      const old = registrations()[0]!;
      const r = await h.run(['webhooks', 'rotate', '--kind', 'checkin']);
      expect(r.code).toBe(0);
      expect(registrations().map((w) => w.id)).toEqual([old.id]);
      expect(r.out).toContain(`nothing changed: webhook ${old.id} is still registered`);
    });

    it('with --apply puts the new secret in VIPPS_WEBHOOK_SECRETS_FILE and takes the old one out, per kind', async () => {
      const file = join(dir, 'secrets');
      const env = { VIPPS_WEBHOOK_SECRETS_FILE: file };
      await h.run(['webhooks', 'register', '--apply'], { env });
      const [oldCheckin, oldEpayment] = registrations();
      for (const kind of ['checkin', 'epayment']) {
        const r = await h.run(['webhooks', 'rotate', '--kind', kind, '--apply', '--yes'], { env });
        expect(r.code).toBe(0);
        expect(r.out).toContain(`removed the old secret from ${file}`);
      }
      const ids = registrations().map((w) => w.id);
      expect(ids).not.toContain(oldCheckin?.id);
      expect(ids).not.toContain(oldEpayment?.id);
      expect(new Set(parseSecretsText(await readFile(file, 'utf8')))).toEqual(
        new Set(registrations().map((w) => w.secret)),
      );
    });

    it('needs --kind or --id, and fails when no registration of the kind matches', async () => {
      const noKind = await h.run(['webhooks', 'rotate', '--yes']);
      expect(noKind.code).toBe(2);
      expect(noKind.err.split('\n')[0]).toBe(
        'pass --kind checkin or --kind epayment (or --id of the registration to replace)',
      );
      const none = await h.run(['webhooks', 'rotate', '--kind', 'checkin', '--yes']);
      expect(none.code).toBe(1);
      expect(none.err).toBe(
        `error: no webhook of kind checkin registered for ${PUBLIC_URL} for this MSN: see \`webhooks list\`, or use \`webhooks register\`\n`,
      );
    });

    it('a registration stored before its answer was lost (500 after storing) is reported with its lost secret, never retried', async () => {
      expect((await fault({ api: 'webhooks', status: 500, count: 1, succeedThenFail: true })).status).toBe(
        201,
      );
      const r = await h.run(['webhooks', 'register', '--kind', 'checkin', '--retry']);
      expect(r.code).toBe(1);
      // Exactly one registration: the POST was not retried (a retry would have met the limit of one).
      expect(registrations()).toHaveLength(1);
      const [stored] = registrations();
      expect(r.err).toContain(
        `Vipps stored it: webhook ${stored?.id} for ${PUBLIC_URL} (${CHECKED_IN_EVENT}). Its secret was in the ` +
          'lost answer and cannot be read back',
      );
      expect(r.err).toContain(
        `Replace it: \`checkin-gateway webhooks rotate --kind checkin --id ${stored?.id} --msn ${MSN}\``,
      );
      expect(r.out + r.err).not.toContain(stored?.secret as string);
      const deliveries = h.emulator.state.deliveries.length;
      expect(deliveries).toBe(0);
    });

    it('when nothing was stored, offers another attempt: the command without a terminal, --retry or "y" registers', async () => {
      const failOnce = { api: 'webhooks', status: 503, count: 1 };
      await fault(failOnce);
      const quiet = await h.run(['webhooks', 'register', '--kind', 'epayment']);
      expect(quiet.code).toBe(1);
      expect(quiet.err).toContain('Nothing was stored: no registration for');
      expect(quiet.err).toContain(
        `To try again: checkin-gateway webhooks register --kind epayment --msn ${MSN} --url ${PUBLIC_URL}\n`,
      );
      expect(registrations()).toHaveLength(0);
      await fault(failOnce);
      const asked = await h.run(['webhooks', 'register', '--kind', 'epayment'], { answers: ['y'] });
      expect(asked.code).toBe(0);
      expect(asked.questions).toEqual(['Register again now? [y/N] ']);
      expect(registrations()).toHaveLength(1);
      await fault(failOnce);
      const retried = await h.run(['webhooks', 'register', '--kind', 'checkin', '--retry']);
      expect(retried.code).toBe(0);
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
        /^the webhook id \(see `webhooks list`\) or --kind is required\nUsage: checkin-gateway webhooks delete <id>/,
      );
      const unknown = await h.run(['webhooks', 'list', '--all']);
      expect(unknown.code).toBe(2);
      expect(unknown.err).toMatch(
        /^Unknown option '--all'.*\nUsage: checkin-gateway webhooks list \[--kind checkin\|epayment\]/,
      );
      const both = await h.run(['webhooks', 'rotate', '--id', 'x', '--url', PUBLIC_URL]);
      expect(both.code).toBe(2);
      expect(both.err.split('\n')[0]).toBe('pass --id or --url, not both');
      expect(registrations()).toHaveLength(0);
    });
  });
});
