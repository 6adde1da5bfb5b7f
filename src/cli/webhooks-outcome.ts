// What `webhooks register` and `webhooks rotate` do when the registering POST's answer is lost (a timeout, a
// network error, a 5xx): Vipps may have stored the registration anyway, and its secret is in the answer that
// never arrived. The POST is never retried automatically (issue 15); instead the registrations are listed: a
// matching one is reported (its secret cannot be read back, so rotate it), and only when none exists is the
// operator offered another attempt (`--retry`, a prompt on a terminal, else the command to run).
import {
  VippsApiError,
  VippsDeadlineError,
  VippsNetworkError,
  VippsTimeoutError,
  type VippsClient,
  type Webhook,
} from '../vipps';
import { sameEvents, type WebhookKind } from '../vipps/webhook-events';
import type { Io } from './command';

/** Failures after which Vipps may or may not have stored the registration. */
export function answerLost(e: unknown): boolean {
  return (
    e instanceof VippsTimeoutError ||
    e instanceof VippsNetworkError ||
    e instanceof VippsDeadlineError ||
    (e instanceof VippsApiError && e.status >= 500)
  );
}

export interface Target {
  readonly msn: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly kind: WebhookKind | undefined;
}

/** A registration with the target's URL and exactly its events. */
export function findMatching(webhooks: readonly Webhook[], t: Target): Webhook | undefined {
  const href = new URL(t.url).href;
  return webhooks.find(
    (w) => URL.canParse(w.url) && new URL(w.url).href === href && sameEvents(w.events, t.events),
  );
}

export type LostAnswerVerdict = 'stored' | 'not-stored' | 'unknown';

/** Lists the registrations after a lost answer and says what it found; never retries anything itself. */
export async function explainLostAnswer(
  client: VippsClient,
  t: Target,
  e: Error,
  io: Io,
): Promise<LostAnswerVerdict> {
  const what = t.kind === undefined ? 'webhook' : `${t.kind} webhook`;
  io.err(`error: registering the ${what} for MSN ${t.msn} failed without an answer: ${e.message}`);
  io.err(
    'Vipps may have stored it anyway; the registering call is never retried, checking the registrations…',
  );
  let webhooks: Webhook[];
  try {
    webhooks = await client.webhooks.list({ msn: t.msn });
  } catch (listError) {
    io.err(`error: listing the registrations failed too: ${(listError as Error).message}`);
    io.err(
      `Run \`checkin-gateway webhooks list --msn ${t.msn}\` before registering again: if a registration for ` +
        `${t.url} is there, its secret is lost and it must be rotated.`,
    );
    return 'unknown';
  }
  const found = findMatching(webhooks, t);
  if (found) {
    io.err(
      `Vipps stored it: webhook ${found.id} for ${found.url} (${found.events.join(', ')}). Its secret was in the ` +
        'lost answer and cannot be read back, so deliveries signed with it cannot be verified.',
    );
    io.err(
      `Replace it: \`checkin-gateway webhooks rotate${t.kind ? ` --kind ${t.kind}` : ''} --id ${found.id} ` +
        `--msn ${t.msn}\` (gives a new secret).`,
    );
    return 'stored';
  }
  io.err(`Nothing was stored: no registration for ${t.url} with these events. It is safe to register again.`);
  return 'not-stored';
}

/** `--retry`, else a prompt on a terminal; without either, prints the command and says no. */
export async function offerRetry(io: Io, retry: boolean, command: string): Promise<boolean> {
  if (retry) return true;
  if (io.ask) {
    const answer = await io.ask('Register again now? [y/N] ');
    if (/^y(es)?$/i.test(answer.trim())) return true;
  }
  io.err(`To try again: ${command}`);
  return false;
}
