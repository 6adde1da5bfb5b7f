// `webhooks delete <id>`: remove a registration, e.g. the old one after a rotation or an obsolete URL (Vipps
// asks for deletion rather than a 404 from a dead endpoint, vipps-protocol.md §1.5).
import { VippsApiError } from '../vipps';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from './command';
import { lanesOption, msnOption, openVippsCli, resolveWebhookMsn } from './vipps-cli';

export const webhooksDeleteCommand: Command = {
  name: 'webhooks delete',
  summary: 'Delete a Vipps webhook registration by id',
  usage:
    'webhooks delete <id> [--msn MSN] [--lanes FILE]\n\n' +
    '  --msn  the sales unit; default the only MSN of the lanes file (LANES_FILE or --lanes)',
  options: { ...msnOption, ...lanesOption },
  async run({ values, positionals }, io) {
    const [id, extra] = positionals;
    if (id === undefined) throw new UsageError('the webhook id is required (see `webhooks list`)');
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    const { config, client } = openVippsCli(io);
    const msn = await resolveWebhookMsn(config, values);
    try {
      await client.webhooks.delete({ msn, id });
    } catch (e) {
      if (!(e instanceof VippsApiError) || e.status !== 404) throw e;
      io.err(`error: no webhook ${id} for MSN ${msn} (see \`checkin-gateway webhooks list --msn ${msn}\`)`);
      return EXIT_FAILURE;
    }
    io.out(`deleted webhook ${id} for MSN ${msn}; remove its secret from VIPPS_WEBHOOK_SECRETS`);
    return EXIT_OK;
  },
};
