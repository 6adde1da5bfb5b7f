// `webhooks rotate`: Vipps has no secret rotation, so rotating is replacing a registration (vipps-protocol.md §2,
// issue 15), done per kind:
//  - epayment: no gap. Register the new one with the same URL and events, let the gateway accept both secrets,
//    then delete the old one after confirmation. During the overlap events arrive twice; intake deduplicates.
//  - checkin: Vipps allows one `user.checked-in.v1` registration per sales unit, so the old one is deleted
//    first, then the new one registered. Check-ins fail until the gateway accepts the new secret; with --apply
//    the secret goes straight to VIPPS_WEBHOOK_SECRETS_FILE, which the gateway re-reads at once (the gap is
//    then two API calls and a file write, see the README).
import { setTimeout as delay } from 'node:timers/promises';
import type { VippsClient, Webhook } from '../vipps';
import { kindOfEvents, type WebhookKind } from '../vipps/webhook-events';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type Io } from './command';
import { lanesOption, msnOption, openVippsCli, resolveWebhookMsn } from './vipps-cli';
import { kindFromOption, kindOption } from './webhooks-events';
import { appliedSecretsFile, registerOne, reportRegisterFailure, webhookUrlFrom } from './webhooks-register';
import { removeFromSecretsFile } from './webhooks-secret-file';

/** Longer than a gateway's periodic stat of VIPPS_WEBHOOK_SECRETS_FILE (1 s), so every gateway has the secret. */
export const SECRETS_FILE_SETTLE_MS = 2000;

export class WebhookNotFoundError extends Error {
  readonly code = 'WEBHOOK_NOT_FOUND';
  constructor(what: string) {
    super(`no webhook ${what} for this MSN: see \`webhooks list\`, or use \`webhooks register\``);
    this.name = 'WebhookNotFoundError';
  }
}

/** `--id`, else the single registration of `kind` for the target URL; several need `--id`. */
export function findOldWebhook(
  webhooks: readonly Webhook[],
  id: string | undefined,
  url: string,
  kind?: WebhookKind,
): Webhook {
  if (id !== undefined) {
    const found = webhooks.find((w) => w.id === id);
    if (!found) throw new WebhookNotFoundError(id);
    return found;
  }
  const matching = webhooks.filter(
    (w) =>
      URL.canParse(w.url) &&
      new URL(w.url).href === url &&
      (kind === undefined || kindOfEvents(w.events) === kind),
  );
  const [only] = matching;
  if (only === undefined)
    throw new WebhookNotFoundError(`${kind ? `of kind ${kind} ` : ''}registered for ${url}`);
  if (matching.length > 1)
    throw new UsageError(
      `${matching.length} webhooks are registered for ${url}: pass --id (${matching.map((w) => w.id).join(', ')})`,
    );
  return only;
}

async function confirm(io: Io, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  if (!io.ask) return false;
  return /^y(es)?$/i.test((await io.ask(question)).trim());
}

interface Rotation {
  readonly client: VippsClient;
  readonly msn: string;
  readonly old: Webhook;
  readonly kind: WebhookKind;
  readonly secretFile: string | undefined;
  readonly applyTo: string | undefined;
  readonly yes: boolean;
  readonly retry: boolean;
}

async function forgetOldSecret(r: Rotation, io: Io): Promise<void> {
  if (r.applyTo !== undefined && (await removeFromSecretsFile(r.applyTo, r.old.id)))
    io.out(`removed the old secret from ${r.applyTo}`);
  else io.out('remove the old secret from VIPPS_WEBHOOK_SECRETS / VIPPS_WEBHOOK_SECRETS_FILE');
}

function target(r: Rotation): Parameters<typeof registerOne>[1] {
  return {
    msn: r.msn,
    url: r.old.url,
    events: r.old.events,
    kind: r.kind,
    ...(r.secretFile === undefined ? {} : { secretFile: r.secretFile }),
    ...(r.applyTo === undefined ? {} : { applyTo: r.applyTo }),
  };
}

/** New first, old deleted after confirmation: no moment without a working registration. */
async function rotateWithOverlap(r: Rotation, io: Io): Promise<number> {
  try {
    if (!(await registerOne(r.client, target(r), io, r.retry))) return EXIT_FAILURE;
  } catch (e) {
    return reportRegisterFailure(e, r.old.events, io, '');
  }
  if (r.applyTo === undefined)
    io.out(
      'Next: add the new secret to the gateway (keep the old one) and reload it (VIPPS_WEBHOOK_SECRETS_FILE is ' +
        're-read at once; VIPPS_WEBHOOK_SECRETS needs a restart), then confirm.',
    );
  if (r.applyTo !== undefined) {
    // Gateways see the file change at once (fs.watch), at the latest by their periodic stat (1 s).
    io.out(`waiting ${SECRETS_FILE_SETTLE_MS / 1000} s for gateways to re-read ${r.applyTo}`);
    await delay(SECRETS_FILE_SETTLE_MS);
  }
  if (!(await confirm(io, r.yes, `Delete old webhook ${r.old.id}? [y/N] `))) {
    io.out(
      `kept old webhook ${r.old.id}; once the gateway accepts the new secret, delete it with ` +
        `\`checkin-gateway webhooks delete ${r.old.id} --msn ${r.msn}\` and drop its secret`,
    );
    return EXIT_OK;
  }
  try {
    await r.client.webhooks.delete({ msn: r.msn, id: r.old.id });
  } catch (e) {
    io.err(`error: the new webhook is registered, but deleting the old one failed: ${(e as Error).message}`);
    io.err(`retry with \`checkin-gateway webhooks delete ${r.old.id} --msn ${r.msn}\``);
    return EXIT_FAILURE;
  }
  io.out(`deleted old webhook ${r.old.id}`);
  await forgetOldSecret(r, io);
  return EXIT_OK;
}

/** Old deleted first (Vipps allows one check-in registration), then the new one registered at once. */
async function rotateWithGap(r: Rotation, io: Io): Promise<number> {
  if (r.applyTo === undefined)
    io.err(
      'warning: without --apply, check-ins fail from the deletion until you give the gateway the new secret; ' +
        'with VIPPS_WEBHOOK_SECRETS_FILE and --apply the gap is a few milliseconds',
    );
  const question =
    `Vipps allows one check-in registration per sales unit: delete webhook ${r.old.id} first, then register ` +
    'the new one (check-ins fail in between)? [y/N] ';
  if (!(await confirm(io, r.yes, question))) {
    io.out(`nothing changed: webhook ${r.old.id} is still registered (pass --yes to rotate without asking)`);
    return EXIT_OK;
  }
  try {
    await r.client.webhooks.delete({ msn: r.msn, id: r.old.id });
  } catch (e) {
    io.err(`error: deleting the old webhook failed, nothing changed: ${(e as Error).message}`);
    return EXIT_FAILURE;
  }
  io.out(`deleted old webhook ${r.old.id}`);
  const lost = (): number => {
    io.err(
      `error: the old check-in webhook is deleted and no new one is registered: check-ins fail until ` +
        `\`checkin-gateway webhooks register --kind checkin --msn ${r.msn}${r.applyTo ? ' --apply' : ''}\` succeeds`,
    );
    return EXIT_FAILURE;
  };
  try {
    if (!(await registerOne(r.client, target(r), io, r.retry))) return lost();
  } catch (e) {
    reportRegisterFailure(e, r.old.events, io, '');
    return lost();
  }
  await forgetOldSecret(r, io);
  return EXIT_OK;
}

export const webhooksRotateCommand: Command = {
  name: 'webhooks rotate',
  summary:
    'Replace a webhook registration and its secret (ePayment: with overlap; check-in: delete, then register)',
  usage:
    'webhooks rotate --kind checkin|epayment [--id ID | --url URL] [--msn MSN] [--lanes FILE]\n' +
    '                [--secret-file PATH | --apply] [--yes] [--retry]\n\n' +
    '  --kind         which registration: checkin (delete first, then register: Vipps allows one) or epayment\n' +
    '                 (register first, delete the old after confirmation); default the kind of --id\n' +
    '  --id           the registration to replace; default the one of --kind registered for --url\n' +
    '  --url          default PUBLIC_WEBHOOK_URL\n' +
    '  --msn          the sales unit; default the only MSN of the lanes file (LANES_FILE or --lanes)\n' +
    '  --secret-file  write the new secret to this new file (mode 0600) instead of printing it\n' +
    '  --apply        add the new secret to VIPPS_WEBHOOK_SECRETS_FILE (the running gateway re-reads it at\n' +
    '                 once) and remove the old one after the deletion\n' +
    '  --yes          go ahead without asking (epayment: delete the old one; checkin: delete before registering)\n' +
    '  --retry        when the new registration\u2019s answer is lost and Vipps stored nothing, register again',
  options: {
    id: { type: 'string' },
    url: { type: 'string' },
    'secret-file': { type: 'string' },
    apply: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    retry: { type: 'boolean' },
    ...kindOption,
    ...msnOption,
    ...lanesOption,
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const id = values['id'] as string | undefined;
    if (id !== undefined && values['url'] !== undefined) throw new UsageError('pass --id or --url, not both');
    if (values['apply'] === true && values['secret-file'] !== undefined)
      throw new UsageError('pass --apply or --secret-file, not both');
    const givenKind = kindFromOption(values['kind']);
    if (givenKind === undefined && id === undefined)
      throw new UsageError('pass --kind checkin or --kind epayment (or --id of the registration to replace)');
    const { config, client } = openVippsCli(io);
    const url = webhookUrlFrom(config, values['url'], io);
    const msn = await resolveWebhookMsn(config, values);
    const applyTo = appliedSecretsFile(config, values['apply']);
    const old = findOldWebhook(await client.webhooks.list({ msn }), id, url, givenKind);
    const kind = givenKind ?? kindOfEvents(old.events);
    if (kind === undefined)
      throw new UsageError(`webhook ${old.id} has neither check-in nor ePayment events`);
    if (givenKind !== undefined && id !== undefined && kindOfEvents(old.events) !== givenKind)
      throw new UsageError(`webhook ${old.id} is not a ${givenKind} registration (${old.events.join(', ')})`);
    const secretFile = values['secret-file'];
    const rotation: Rotation = {
      client,
      msn,
      old,
      kind,
      secretFile: typeof secretFile === 'string' ? secretFile : undefined,
      applyTo,
      yes: values['yes'] === true,
      retry: values['retry'] === true,
    };
    return kind === 'checkin' ? rotateWithGap(rotation, io) : rotateWithOverlap(rotation, io);
  },
};
