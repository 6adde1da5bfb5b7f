// Are the gateway's webhook registrations still at Vipps (issue 15)? Vipps deletes a registration that stays
// unresponsive for two weeks (vipps-protocol.md §1.5), and an operator may delete one by mistake; either way
// check-ins (or payment events) silently stop arriving while the gateway itself looks healthy. For every sales
// unit and each kind (check-in, ePayment), a registration must exist for PUBLIC_WEBHOOK_URL with all the kind's
// events. A bundled registration (both kinds in one, from before issue 15) counts for both.
import type { VippsClient } from './client';
import { eventsOfKind, WEBHOOK_KINDS, type WebhookKind } from './webhook-events';
import type { Webhook } from './webhooks';

export interface KindHealth {
  readonly msn: string;
  readonly kind: WebhookKind;
  readonly ok: boolean;
  /** The registration serving this kind, when there is one. */
  readonly id?: string;
  /** Why not ok: nothing for the URL, or the events it lacks. */
  readonly problem?: string;
  /** What fixes it. */
  readonly fix?: string;
}

export interface RegistrationHealth {
  readonly url: string;
  readonly checkedAt: string;
  /** One entry per MSN and kind. */
  readonly kinds: readonly KindHealth[];
  /** MSNs whose registrations could not be listed (Vipps down, bad credentials): nothing is known for them. */
  readonly errors: readonly { readonly msn: string; readonly error: string }[];
  /** Registrations for `url` (the ones `kinds` judged), as listed: the admin API shows them. */
  readonly ours: readonly (Webhook & { readonly msn: string })[];
  /** Registrations for other URLs: they receive events too (an old URL, another gateway). */
  readonly others: readonly (Webhook & { readonly msn: string })[];
}

/** The check for one sales unit's list of registrations (pure). */
export function kindHealth(msn: string, webhooks: readonly Webhook[], url: string): KindHealth[] {
  const href = new URL(url).href;
  const ours = webhooks.filter((w) => URL.canParse(w.url) && new URL(w.url).href === href);
  return WEBHOOK_KINDS.map((kind) => {
    const events = eventsOfKind(kind);
    const full = ours.find((w) => events.every((e) => w.events.includes(e)));
    if (full) return { msn, kind, ok: true, id: full.id };
    const fix = `checkin-gateway webhooks register --kind ${kind} --msn ${msn}`;
    const partial = ours.find((w) => events.some((e) => w.events.includes(e)));
    if (partial) {
      const missing = events.filter((e) => !partial.events.includes(e));
      return {
        msn,
        kind,
        ok: false,
        id: partial.id,
        problem: `registration ${partial.id} lacks ${missing.join(', ')}`,
        fix: `${fix} (then delete ${partial.id})`,
      };
    }
    return { msn, kind, ok: false, problem: `no ${kind} registration for ${href}`, fix };
  });
}

/**
 * Lists the registrations of every MSN and checks both kinds against `url`. Exported plainly for the admin
 * service and `doctor`; it never throws for one MSN's failure (that MSN lands in `errors`).
 */
export async function checkRegistrationHealth(
  vipps: Pick<VippsClient, 'webhooks'>,
  msns: readonly string[],
  url: URL | string,
  now: Date = new Date(),
  signal?: AbortSignal,
): Promise<RegistrationHealth> {
  const href = typeof url === 'string' ? new URL(url).href : url.href;
  const kinds: KindHealth[] = [];
  const errors: { msn: string; error: string }[] = [];
  const ours: (Webhook & { msn: string })[] = [];
  const others: (Webhook & { msn: string })[] = [];
  for (const msn of msns) {
    try {
      const webhooks = await vipps.webhooks.list({ msn }, signal ? { signal } : {});
      kinds.push(...kindHealth(msn, webhooks, href));
      for (const w of webhooks)
        (URL.canParse(w.url) && new URL(w.url).href === href ? ours : others).push({ ...w, msn });
    } catch (err) {
      errors.push({ msn, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { url: href, checkedAt: now.toISOString(), kinds, errors, ours, others };
}

/** Per kind: true when every checked MSN has it (undefined when no MSN could be checked for it). */
export function okByKind(health: RegistrationHealth): Record<WebhookKind, boolean | undefined> {
  const result = {} as Record<WebhookKind, boolean | undefined>;
  for (const kind of WEBHOOK_KINDS) {
    const of = health.kinds.filter((k) => k.kind === kind);
    result[kind] = of.length === 0 ? undefined : of.every((k) => k.ok);
  }
  return result;
}
