// `webhooks list`: the registrations of one sales unit (vipps-protocol.md §2), with the kind each serves
// (checkin, epayment; issue 15). Vipps never returns secrets after registration, so there is none to hide here.
import { kindOfEvents } from '../vipps/webhook-events';
import { EXIT_OK, UsageError, type Command } from './command';
import { jsonOption, lanesOption, msnOption, openVippsCli, resolveWebhookMsn } from './vipps-cli';
import { kindFromOption, kindOption } from './webhooks-events';

export const webhooksListCommand: Command = {
  name: 'webhooks list',
  summary: 'List the Vipps webhook registrations of a sales unit',
  usage:
    'webhooks list [--kind checkin|epayment] [--msn MSN] [--lanes FILE] [--json]\n\n' +
    '  --kind  only registrations of this kind\n' +
    '  --msn   the sales unit; default the only MSN of the lanes file (LANES_FILE or --lanes)\n' +
    '  --json  print [{id, msn, kind, url, events}]',
  options: { ...kindOption, ...msnOption, ...lanesOption, ...jsonOption },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const kind = kindFromOption(values['kind']);
    const { config, client } = openVippsCli(io);
    const msn = await resolveWebhookMsn(config, values);
    const webhooks = (await client.webhooks.list({ msn }))
      .map((w) => ({ id: w.id, msn, kind: kindOfEvents(w.events) ?? 'other', url: w.url, events: w.events }))
      .filter((w) => kind === undefined || w.kind === kind);
    if (values['json']) {
      io.out(JSON.stringify(webhooks));
      return EXIT_OK;
    }
    if (webhooks.length === 0) {
      io.out(`no ${kind === undefined ? '' : `${kind} `}webhooks registered for MSN ${msn}`);
      return EXIT_OK;
    }
    for (const w of webhooks) io.out(`${w.id}  ${w.kind}  ${w.url}  ${w.events.join(',')}`);
    return EXIT_OK;
  },
};
