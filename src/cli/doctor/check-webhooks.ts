// Webhook registrations (vipps-protocol.md §2): for every MSN of the lanes file, Vipps has a registration for
// PUBLIC_WEBHOOK_URL with every event the gateway consumes. Without it check-ins never arrive (or payments
// never move on), however healthy the gateway itself is.
import { DEFAULT_WEBHOOK_EVENTS } from '../../vipps/webhook-events';
import { msnsOf } from '../vipps-cli';
import { fail, ok, warn, type DoctorCheck } from './check';

export const webhooksCheck: DoctorCheck = {
  name: 'webhooks',
  async run(ctx) {
    const lanes = await ctx.lanes();
    const config = ctx.config();
    const client = await ctx.vipps();
    const url = config.publicWebhookUrl.href;
    const problems: string[] = [];
    const others: string[] = [];
    for (const msn of msnsOf(lanes)) {
      const registrations = await client.webhooks.list({ msn });
      const ours = registrations.filter((w) => w.url === url);
      for (const w of registrations)
        if (w.url !== url) others.push(`MSN ${msn}: ${w.id} delivers ${w.events.join(',')} to ${w.url}`);
      if (ours.length === 0) {
        problems.push(
          `MSN ${msn}: nothing registered for ${url}: run \`checkin-gateway webhooks register --msn ${msn}\``,
        );
        continue;
      }
      const have = new Set(ours.flatMap((w) => w.events));
      const missing = DEFAULT_WEBHOOK_EVENTS.filter((e) => !have.has(e));
      if (missing.length > 0)
        problems.push(
          `MSN ${msn}: ${url} lacks ${missing.join(', ')}: run \`checkin-gateway webhooks register --msn ${msn}\` ` +
            '(then delete the old registration)',
        );
    }
    const msns = msnsOf(lanes).length;
    if (problems.length > 0)
      return fail(`${problems.length} of ${msns} MSNs miss a registration or events for ${url}`, problems);
    if (others.length > 0)
      return warn(`every MSN delivers to ${url}; other registrations also receive events`, others);
    return ok(`${msns} MSN(s) deliver all ${DEFAULT_WEBHOOK_EVENTS.length} events to ${url}`);
  },
};
