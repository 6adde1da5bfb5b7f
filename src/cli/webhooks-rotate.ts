// `webhooks rotate`: Vipps has no secret rotation, so rotating is register a new registration with the same
// URL and events, let the gateway accept both secrets, then delete the old one (vipps-protocol.md §2,
// architecture §5). During the overlap Vipps delivers every event to both registrations; intake deduplicates.
import type { Webhook } from '../vipps';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type Io } from './command';
import { lanesOption, msnOption, openVippsCli, resolveWebhookMsn } from './vipps-cli';
import { CHECKED_IN_EVENT } from '../vipps/webhook-events';
import { registerAndReveal, reportRegisterFailure, webhookUrlFrom } from './webhooks-register';

export class WebhookNotFoundError extends Error {
  readonly code = 'WEBHOOK_NOT_FOUND';
  constructor(what: string) {
    super(`no webhook ${what} for this MSN: see \`webhooks list\`, or use \`webhooks register\``);
    this.name = 'WebhookNotFoundError';
  }
}

/** `--id`, else the single registration for the target URL; several for that URL need `--id`. */
export function findOldWebhook(webhooks: readonly Webhook[], id: string | undefined, url: string): Webhook {
  if (id !== undefined) {
    const found = webhooks.find((w) => w.id === id);
    if (!found) throw new WebhookNotFoundError(id);
    return found;
  }
  const matching = webhooks.filter((w) => URL.canParse(w.url) && new URL(w.url).href === url);
  const [only] = matching;
  if (only === undefined) throw new WebhookNotFoundError(`registered for ${url}`);
  if (matching.length > 1)
    throw new UsageError(
      `${matching.length} webhooks are registered for ${url}: pass --id (${matching.map((w) => w.id).join(', ')})`,
    );
  return only;
}

async function confirmDelete(io: Io, yes: boolean, oldId: string): Promise<boolean> {
  if (yes) return true;
  if (!io.ask) return false;
  const answer = await io.ask(`Delete old webhook ${oldId}? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

export const webhooksRotateCommand: Command = {
  name: 'webhooks rotate',
  summary:
    'Replace a webhook registration (and its secret): register new, then delete the old after confirmation',
  usage:
    'webhooks rotate [--id ID | --url URL] [--msn MSN] [--lanes FILE] [--secret-file PATH] [--yes]\n\n' +
    '  --id           the registration to replace; default the one registered for --url\n' +
    '  --url          default PUBLIC_WEBHOOK_URL\n' +
    '  --msn          the sales unit; default the only MSN of the lanes file (LANES_FILE or --lanes)\n' +
    '  --secret-file  write the new secret to this new file (mode 0600) instead of printing it\n' +
    '  --yes          delete the old registration without asking: only once the gateway already accepts\n' +
    '                 the new secret, or deliveries fail verification until it does',
  options: {
    id: { type: 'string' },
    url: { type: 'string' },
    'secret-file': { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    ...msnOption,
    ...lanesOption,
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const id = values['id'];
    if (id !== undefined && values['url'] !== undefined) throw new UsageError('pass --id or --url, not both');
    const { config, client } = openVippsCli(io);
    const url = webhookUrlFrom(config, values['url'], io);
    const msn = await resolveWebhookMsn(config, values);
    const old = findOldWebhook(await client.webhooks.list({ msn }), id as string | undefined, url);
    const secretFile = values['secret-file'];
    try {
      await registerAndReveal(
        client,
        { msn, url: old.url, events: old.events, ...(typeof secretFile === 'string' ? { secretFile } : {}) },
        io,
      );
    } catch (e) {
      return reportRegisterFailure(
        e,
        old.events,
        io,
        `Vipps allows one ${CHECKED_IN_EVENT} registration per sales unit, so this one cannot overlap: ` +
          `delete the old one first (\`webhooks delete ${old.id} --msn ${msn}\`), then \`webhooks register\`; ` +
          'check-ins fail until the gateway has the new secret.',
      );
    }
    io.out(
      'Next: add the new secret to VIPPS_WEBHOOK_SECRETS (comma-separated, keep the old one), ' +
        'restart or reload the gateway, then confirm.',
    );
    if (!(await confirmDelete(io, values['yes'] === true, old.id))) {
      io.out(
        `kept old webhook ${old.id}; once the gateway accepts the new secret, delete it with ` +
          `\`checkin-gateway webhooks delete ${old.id} --msn ${msn}\` and drop its secret from VIPPS_WEBHOOK_SECRETS`,
      );
      return EXIT_OK;
    }
    try {
      await client.webhooks.delete({ msn, id: old.id });
    } catch (e) {
      io.err(
        `error: the new webhook is registered, but deleting the old one failed: ${(e as Error).message}`,
      );
      io.err(`retry with \`checkin-gateway webhooks delete ${old.id} --msn ${msn}\``);
      return EXIT_FAILURE;
    }
    io.out(`deleted old webhook ${old.id}; remove its secret from VIPPS_WEBHOOK_SECRETS`);
    return EXIT_OK;
  },
};
