// Webhook registrations (vipps-protocol.md §2, issue 15): for every MSN of the lanes file, Vipps has the two
// registrations the gateway needs for PUBLIC_WEBHOOK_URL, check-ins and ePayment events. The same check the
// running gateway makes at start and hourly (src/vipps/registration-health.ts). Without them check-ins never
// arrive (or payments never move on), however healthy the gateway itself is.
import { checkRegistrationHealth } from '../../vipps/registration-health';
import { msnsOf } from '../vipps-cli';
import { fail, ok, warn, type DoctorCheck } from './check';

export const webhooksCheck: DoctorCheck = {
  name: 'webhooks',
  async run(ctx) {
    const lanes = await ctx.lanes();
    const config = ctx.config();
    const client = await ctx.vipps();
    const msns = msnsOf(lanes);
    const health = await checkRegistrationHealth(client, msns, config.publicWebhookUrl);
    const url = health.url;
    const problems = [
      ...health.errors.map((e) => `MSN ${e.msn}: cannot list the registrations: ${e.error}`),
      ...health.kinds.filter((k) => !k.ok).map((k) => `MSN ${k.msn}: ${k.problem}: run \`${k.fix}\``),
    ];
    if (problems.length > 0) {
      const failing = new Set([
        ...health.errors.map((e) => e.msn),
        ...health.kinds.filter((k) => !k.ok).map((k) => k.msn),
      ]).size;
      return fail(`${failing} of ${msns.length} MSNs miss a registration or events for ${url}`, problems);
    }
    if (health.others.length > 0)
      return warn(
        `every MSN delivers to ${url}; other registrations also receive events`,
        health.others.map((w) => `MSN ${w.msn}: ${w.id} delivers ${w.events.join(',')} to ${w.url}`),
      );
    return ok(`${msns.length} MSN(s) have their check-in and ePayment registrations for ${url}`);
  },
};
