// `sessions show <id>`: one session and its whole timeline (steps, ePayment calls, lane messages).
import { withAdminReads } from '../admin/cli-reads';
import { loadConfig } from '../config';
import { moneyText } from '../money-text';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from './command';

export const sessionsShowCommand: Command = {
  name: 'sessions show',
  summary: "One session's whole timeline: steps, every Vipps call and answer, lane messages",
  usage: 'sessions show <id> [--json]',
  options: { json: { type: 'boolean' } },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('give one session id (see `sessions list`)');
    const id = positionals[0]!;
    const config = loadConfig(io.env, { requireWebhookSecrets: false });
    const detail = await withAdminReads(config, (reads) => reads.session(id));
    if (!detail) {
      io.err(`no session ${id}`);
      return EXIT_FAILURE;
    }
    if (values['json']) {
      io.out(JSON.stringify(detail, null, 2));
      return EXIT_OK;
    }
    const s = detail.session;
    const currency = s.currency ?? 'NOK';
    io.out(
      [
        `session ${s.id}  lane ${s.laneId}  ${s.kind}  reference ${s.reference}`,
        `state ${s.state}${s.reason ? ` (${s.reason})` : ''}  created ${s.createdAt}`,
        `amount ${s.amount === null ? '-' : moneyText(s.amount, currency)}  captured ${moneyText(s.captured, currency)}`,
        detail.payment
          ? `payment ${detail.payment.status}${detail.payment.owed ? ` owes ${detail.payment.owed}` : ''}`
          : 'no payment',
        '',
        ...detail.timeline.map((t) => {
          const extra = Object.entries(t.detail)
            .filter(([, v]) => v !== null && v !== '')
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ');
          return `${t.at}  ${t.source.padEnd(12)}  ${t.what}${extra ? `  ${extra}` : ''}`;
        }),
      ].join('\n'),
    );
    return EXIT_OK;
  },
};
