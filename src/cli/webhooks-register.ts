// `webhooks register`: subscribe the gateway's public URL to the Vipps events it consumes, for one sales unit,
// in two registrations (issue 15): check-ins (`user.checked-in.v1`, one allowed per sales unit) and ePayment
// events, so each can be rotated on its own. The secret is returned only now: this command shows it, writes it
// to a 0600 file, or (`--apply`) adds it to VIPPS_WEBHOOK_SECRETS_FILE where the running gateway picks it up.
// The registering POST is never retried: see webhooks-outcome.ts for what happens when its answer is lost.
import type { Config } from '../config';
import { VippsApiError, type VippsClient, type WebhookRegistration } from '../vipps';
import {
  CHECKED_IN_EVENT,
  eventsOfKind,
  kindOfEvents,
  WEBHOOK_KINDS,
  type WebhookKind,
} from '../vipps/webhook-events';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type Io } from './command';
import { lanesOption, msnOption, openVippsCli, resolveWebhookMsn } from './vipps-cli';
import { eventsFromOption, kindFromOption, kindOption } from './webhooks-events';
import { answerLost, explainLostAnswer, offerRetry, type Target } from './webhooks-outcome';
import { addToSecretsFile, createSecretFile } from './webhooks-secret-file';

export interface RegisterInput {
  readonly msn: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly secretFile?: string;
}

/** Registers and shows the id and the secret (or writes the secret to `secretFile`); throws on failure. */
export async function registerAndReveal(
  client: VippsClient,
  input: RegisterInput,
  io: Io,
): Promise<WebhookRegistration> {
  const file = input.secretFile === undefined ? undefined : await createSecretFile(input.secretFile);
  let registration: WebhookRegistration;
  try {
    registration = await client.webhooks.register({ msn: input.msn, url: input.url, events: input.events });
  } catch (e) {
    await file?.discard();
    throw e;
  }
  io.out(`registered webhook ${registration.id} for MSN ${input.msn}: ${input.url}`);
  io.out(`events: ${input.events.join(', ')}`);
  if (file) {
    await file.write(registration.secret);
    io.out(`secret written to ${file.path} (mode 0600); Vipps shows it only once`);
  } else {
    io.out(`secret: ${registration.secret}`);
    io.out('Vipps shows this secret only once: store it now.');
  }
  return registration;
}

/** Where `--apply` writes: VIPPS_WEBHOOK_SECRETS_FILE, which the running gateway watches. */
export function appliedSecretsFile(config: Config, apply: unknown): string | undefined {
  if (apply !== true) return undefined;
  if (config.webhookSecretsFile === undefined)
    throw new UsageError(
      '--apply writes the secret to VIPPS_WEBHOOK_SECRETS_FILE, which is not set: set it (for this command ' +
        'and the gateway) or leave out --apply',
    );
  return config.webhookSecretsFile;
}

/**
 * Registers one webhook and hands its secret over (`--apply` file, `--secret-file`, or the terminal). When the
 * answer is lost it reports what Vipps holds and offers one more attempt only if nothing was stored.
 */
export async function registerOne(
  client: VippsClient,
  t: Target & { readonly secretFile?: string; readonly applyTo?: string },
  io: Io,
  retry: boolean,
): Promise<WebhookRegistration | undefined> {
  for (;;) {
    try {
      if (t.applyTo === undefined)
        return await registerAndReveal(
          client,
          { msn: t.msn, url: t.url, events: t.events, ...(t.secretFile ? { secretFile: t.secretFile } : {}) },
          io,
        );
      const registration = await client.webhooks.register({ msn: t.msn, url: t.url, events: t.events });
      await addToSecretsFile(t.applyTo, {
        id: registration.id,
        kind: t.kind ?? kindOfEvents(t.events) ?? 'custom',
        msn: t.msn,
        secret: registration.secret,
      });
      io.out(`registered webhook ${registration.id} for MSN ${t.msn}: ${t.url}`);
      io.out(`events: ${t.events.join(', ')}`);
      io.out(`secret added to ${t.applyTo}; a gateway watching it accepts it now`);
      return registration;
    } catch (e) {
      if (!answerLost(e)) throw e;
      const verdict = await explainLostAnswer(client, t, e as Error, io);
      if (verdict !== 'not-stored') return undefined;
      const command =
        `checkin-gateway webhooks register${t.kind ? ` --kind ${t.kind}` : ''} --msn ${t.msn} --url ${t.url}` +
        (t.applyTo ? ' --apply' : '');
      if (!(await offerRetry(io, retry, command))) return undefined;
      retry = false; // One more attempt per --retry; a prompt asks again.
    }
  }
}

/** `--url`, default PUBLIC_WEBHOOK_URL; warns when it is not the URL the gateway verifies signatures over. */
export function webhookUrlFrom(config: Config, value: unknown, io: Io): string {
  const configured = config.publicWebhookUrl.href;
  if (typeof value !== 'string') return configured;
  if (!URL.canParse(value))
    throw new UsageError(`--url must be an absolute URL, got ${JSON.stringify(value)}`);
  const url = new URL(value);
  // §2: Vipps delivers only to HTTPS; the emulator also delivers to local http servers (with --allow-http).
  if (config.vipps.env !== 'sandbox' && url.protocol !== 'https:')
    throw new UsageError(`--url must be an https URL when VIPPS_ENV=${config.vipps.env}`);
  if (url.href !== configured)
    io.err(
      `warning: ${url.href} is not PUBLIC_WEBHOOK_URL (${configured}); the gateway signs over PUBLIC_WEBHOOK_URL ` +
        '(vipps-protocol.md §1.2), so the gateway serving this URL must be configured with it',
    );
  return url.href;
}

/** Prints a failed registration with Vipps's detail and, for the check-in limit, what to do about it. */
export function reportRegisterFailure(
  e: unknown,
  events: readonly string[],
  io: Io,
  limitHint: string,
): number {
  if (!(e instanceof VippsApiError)) throw e;
  io.err(`error: ${e.message}${e.detail ? `\n  ${e.detail}` : ''}`);
  // §2: Vipps allows a single user.checked-in.v1 registration per sales unit.
  if (e.status === 400 && events.includes(CHECKED_IN_EVENT)) io.err(limitHint);
  return EXIT_FAILURE;
}

export const webhooksRegisterCommand: Command = {
  name: 'webhooks register',
  summary:
    'Register the gateway URL for Vipps webhook events (check-in and ePayment) and show each secret once',
  usage:
    'webhooks register [--kind checkin|epayment] [--url URL] [--events E1,E2 ...] [--msn MSN] [--lanes FILE]\n' +
    '                  [--secret-file PATH | --apply] [--retry]\n\n' +
    '  --kind         checkin (user.checked-in.v1) or epayment (the eight epayments.payment.*.v1 events);\n' +
    '                 default both, as two registrations\n' +
    '  --url          default PUBLIC_WEBHOOK_URL\n' +
    '  --events       one registration with these events instead of --kind\n' +
    '  --msn          the sales unit; default the only MSN of the lanes file (LANES_FILE or --lanes)\n' +
    '  --secret-file  write the secret(s) to this new file (mode 0600) instead of printing them\n' +
    '  --apply        add the secret(s) to VIPPS_WEBHOOK_SECRETS_FILE, which the running gateway re-reads\n' +
    '  --retry        when an answer is lost and Vipps stored nothing, register once more without asking',
  options: {
    url: { type: 'string' },
    events: { type: 'string', multiple: true },
    'secret-file': { type: 'string' },
    apply: { type: 'boolean' },
    retry: { type: 'boolean' },
    ...kindOption,
    ...msnOption,
    ...lanesOption,
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const kind = kindFromOption(values['kind']);
    if (kind !== undefined && values['events'] !== undefined)
      throw new UsageError('pass --kind or --events, not both');
    if (values['apply'] === true && values['secret-file'] !== undefined)
      throw new UsageError('pass --apply or --secret-file, not both');
    const { config, client } = openVippsCli(io);
    const url = webhookUrlFrom(config, values['url'], io);
    const msn = await resolveWebhookMsn(config, values);
    const applyTo = appliedSecretsFile(config, values['apply']);
    const secretFile = values['secret-file'];
    const targets: Array<{ kind: WebhookKind | undefined; events: readonly string[] }> =
      values['events'] !== undefined
        ? [{ kind: undefined, events: eventsFromOption(values['events']) }]
        : (kind === undefined ? WEBHOOK_KINDS : [kind]).map((k) => ({ kind: k, events: eventsOfKind(k) }));
    if (typeof secretFile === 'string' && targets.length > 1)
      throw new UsageError('--secret-file holds one secret: pass --kind, or use --apply for both');
    for (const t of targets) {
      try {
        const done = await registerOne(
          client,
          {
            msn,
            url,
            events: t.events,
            kind: t.kind,
            ...(typeof secretFile === 'string' ? { secretFile } : {}),
            ...(applyTo === undefined ? {} : { applyTo }),
          },
          io,
          values['retry'] === true,
        );
        if (!done) return EXIT_FAILURE;
      } catch (e) {
        return reportRegisterFailure(
          e,
          t.events,
          io,
          `Vipps allows one ${CHECKED_IN_EVENT} registration per sales unit: see ` +
            `\`checkin-gateway webhooks list --msn ${msn}\`, or replace it with \`webhooks rotate --kind checkin\`.`,
        );
      }
    }
    if (applyTo === undefined)
      io.out(
        'Next: add the secret(s) to VIPPS_WEBHOOK_SECRETS (comma-separated) and restart the gateway, or put ' +
          'them in VIPPS_WEBHOOK_SECRETS_FILE (one a line; re-read without a restart).',
      );
    return EXIT_OK;
  },
};
