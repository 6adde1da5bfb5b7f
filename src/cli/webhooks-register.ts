// `webhooks register`: subscribe the gateway's public URL to the Vipps events it consumes, for one sales
// unit (vipps-protocol.md §2). The secret is returned only now: this command exists to show it (or to write it
// to a 0600 file), and nothing else ever prints it.
import type { Config } from '../config';
import { VippsApiError, type VippsClient, type WebhookRegistration } from '../vipps';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type Io } from './command';
import { lanesOption, msnOption, openVippsCli, resolveWebhookMsn } from './vipps-cli';
import { CHECKED_IN_EVENT } from '../vipps/webhook-events';
import { eventsFromOption } from './webhooks-events';
import { createSecretFile } from './webhooks-secret-file';

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

/** `--url`, default PUBLIC_WEBHOOK_URL; warns when it is not the URL the gateway verifies signatures over. */
export function webhookUrlFrom(config: Config, value: unknown, io: Io): string {
  const configured = config.publicWebhookUrl.href;
  if (typeof value !== 'string') return configured;
  if (!URL.canParse(value))
    throw new UsageError(`--url must be an absolute URL, got ${JSON.stringify(value)}`);
  const url = new URL(value);
  // §2: Vipps delivers only to HTTPS; the emulator also delivers to local http servers.
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
  summary: 'Register the gateway URL for Vipps webhook events and show the secret once',
  usage:
    'webhooks register [--url URL] [--events E1,E2 ...] [--msn MSN] [--lanes FILE] [--secret-file PATH]\n\n' +
    '  --url          default PUBLIC_WEBHOOK_URL\n' +
    '  --events       default user.checked-in.v1 and the eight epayments.payment.*.v1 events\n' +
    '  --msn          the sales unit; default the only MSN of the lanes file (LANES_FILE or --lanes)\n' +
    '  --secret-file  write the secret to this new file (mode 0600) instead of printing it',
  options: {
    url: { type: 'string' },
    events: { type: 'string', multiple: true },
    'secret-file': { type: 'string' },
    ...msnOption,
    ...lanesOption,
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const { config, client } = openVippsCli(io);
    const url = webhookUrlFrom(config, values['url'], io);
    const events = eventsFromOption(values['events']);
    const msn = await resolveWebhookMsn(config, values);
    const secretFile = values['secret-file'];
    try {
      await registerAndReveal(
        client,
        { msn, url, events, ...(typeof secretFile === 'string' ? { secretFile } : {}) },
        io,
      );
    } catch (e) {
      return reportRegisterFailure(
        e,
        events,
        io,
        `Vipps allows one ${CHECKED_IN_EVENT} registration per sales unit: see \`checkin-gateway webhooks list --msn ${msn}\`.`,
      );
    }
    io.out(
      'Next: add the secret to VIPPS_WEBHOOK_SECRETS (comma-separated) and restart the gateway, ' +
        'so it accepts deliveries signed with it.',
    );
    return EXIT_OK;
  },
};
