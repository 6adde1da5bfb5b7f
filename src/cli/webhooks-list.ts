// `webhooks list`: the registrations of one sales unit (vipps-protocol.md §2). Vipps never returns secrets
// after registration, so there is none to hide here.
import { EXIT_OK, UsageError, type Command } from './command';
import { jsonOption, lanesOption, msnOption, openVippsCli, resolveWebhookMsn } from './vipps-cli';

export const webhooksListCommand: Command = {
  name: 'webhooks list',
  summary: 'List the Vipps webhook registrations of a sales unit',
  usage:
    'webhooks list [--msn MSN] [--lanes FILE] [--json]\n\n' +
    '  --msn   the sales unit; default the only MSN of the lanes file (LANES_FILE or --lanes)\n' +
    '  --json  print [{id, msn, url, events}]',
  options: { ...msnOption, ...lanesOption, ...jsonOption },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const { config, client } = openVippsCli(io);
    const msn = await resolveWebhookMsn(config, values);
    const webhooks = await client.webhooks.list({ msn });
    if (values['json']) {
      io.out(JSON.stringify(webhooks.map((w) => ({ id: w.id, msn, url: w.url, events: w.events }))));
      return EXIT_OK;
    }
    if (webhooks.length === 0) {
      io.out(`no webhooks registered for MSN ${msn}`);
      return EXIT_OK;
    }
    for (const w of webhooks) io.out(`${w.id}  ${w.url}  ${w.events.join(',')}`);
    return EXIT_OK;
  },
};
