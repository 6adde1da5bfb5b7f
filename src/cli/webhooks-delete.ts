// `webhooks delete <id>` or `--kind K`: remove a registration, e.g. an obsolete URL (Vipps asks for deletion
// rather than a 404 from a dead endpoint, vipps-protocol.md §1.5). With --apply its secret also leaves
// VIPPS_WEBHOOK_SECRETS_FILE.
import { VippsApiError } from '../vipps';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from './command';
import { lanesOption, msnOption, openVippsCli, resolveWebhookMsn } from './vipps-cli';
import { kindFromOption, kindOption } from './webhooks-events';
import { appliedSecretsFile, webhookUrlFrom } from './webhooks-register';
import { findOldWebhook } from './webhooks-rotate';
import { removeFromSecretsFile } from './webhooks-secret-file';

export const webhooksDeleteCommand: Command = {
  name: 'webhooks delete',
  summary: 'Delete a Vipps webhook registration by id, or the one of a kind for the gateway URL',
  usage:
    'webhooks delete <id> | --kind checkin|epayment [--url URL] [--msn MSN] [--lanes FILE] [--apply]\n\n' +
    '  --kind   the registration of this kind for --url (default PUBLIC_WEBHOOK_URL)\n' +
    '  --msn    the sales unit; default the only MSN of the lanes file (LANES_FILE or --lanes)\n' +
    '  --apply  also remove its secret from VIPPS_WEBHOOK_SECRETS_FILE',
  options: {
    url: { type: 'string' },
    apply: { type: 'boolean' },
    ...kindOption,
    ...msnOption,
    ...lanesOption,
  },
  async run({ values, positionals }, io) {
    const [given, extra] = positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    const kind = kindFromOption(values['kind']);
    if (given === undefined && kind === undefined)
      throw new UsageError('the webhook id (see `webhooks list`) or --kind is required');
    if (given !== undefined && kind !== undefined) throw new UsageError('pass an id or --kind, not both');
    const { config, client } = openVippsCli(io);
    const msn = await resolveWebhookMsn(config, values);
    const applyTo = appliedSecretsFile(config, values['apply']);
    const id =
      given ??
      findOldWebhook(
        await client.webhooks.list({ msn }),
        undefined,
        webhookUrlFrom(config, values['url'], io),
        kind,
      ).id;
    try {
      await client.webhooks.delete({ msn, id });
    } catch (e) {
      if (!(e instanceof VippsApiError) || e.status !== 404) throw e;
      io.err(`error: no webhook ${id} for MSN ${msn} (see \`checkin-gateway webhooks list --msn ${msn}\`)`);
      return EXIT_FAILURE;
    }
    if (applyTo !== undefined && (await removeFromSecretsFile(applyTo, id)))
      io.out(`deleted webhook ${id} for MSN ${msn}; its secret is removed from ${applyTo}`);
    else io.out(`deleted webhook ${id} for MSN ${msn}; remove its secret from VIPPS_WEBHOOK_SECRETS`);
    return EXIT_OK;
  },
};
