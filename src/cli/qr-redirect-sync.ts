// What `qr sync`, `qr list` and `qr download` do with merchant-redirect codes (the redirect-qr lanes' stickers,
// src/vipps/qr-redirect.ts): list them per MSN, apply a plan (qr-redirect-plan.ts), describe it in one line each.
import { ConfigError, type Config } from '../config';
import type { Lane } from '../lanes/lane';
import type { VippsClient } from '../vipps';
import type { Io } from './command';
import { countActions, type QrAction, type QrPlanCounts } from './qr-plan';
import {
  offersRedirectQr,
  planRedirectQrSync,
  type ExistingRedirectQr,
  type RedirectQrPlanItem,
} from './qr-redirect-plan';
import { executePlan, QR_CONCURRENCY, runLimited, type Executed } from './qr-run-limited';
import { msnsOf } from './vipps-cli';

export type RedirectQrSyncResult = Executed<RedirectQrPlanItem>;

/**
 * The codes of the MSNs whose lanes offer redirect-qr (all lanes' MSNs with `--prune`, so a code whose lane
 * stopped offering it is found). A file without redirect-qr lanes makes no merchant-redirect call at all.
 */
export async function listRedirectQrs(
  client: VippsClient,
  lanes: readonly Lane[],
  prune: boolean,
): Promise<ExistingRedirectQr[]> {
  const msns = msnsOf(prune ? lanes : lanes.filter(offersRedirectQr));
  const lists = await runLimited(msns, QR_CONCURRENCY, async (msn) =>
    (await client.qr.redirect.list({ msn, accept: 'text/targetUrl' })).map((qr) => ({ msn, qr })),
  );
  return lists.flat();
}

/** PUBLIC_BASE_URL, required once a lane offers redirect-qr (its code must lead somewhere customers reach). */
export function redirectBaseUrl(config: Config, lanes: readonly Lane[]): URL | undefined {
  const redirectLanes = lanes.filter(offersRedirectQr).map((l) => l.id);
  if (config.publicBaseUrl || redirectLanes.length === 0) return config.publicBaseUrl;
  throw new ConfigError(
    'PUBLIC_BASE_URL',
    `the https URL customers' phones reach this gateway at: lane(s) ${redirectLanes.join(', ')} offer redirect-qr, whose codes open PUBLIC_BASE_URL/pay/{laneId}`,
  );
}

export async function planRedirectQrs(
  client: VippsClient,
  config: Config,
  lanes: readonly Lane[],
  prune: boolean,
): Promise<RedirectQrPlanItem[]> {
  const base = redirectBaseUrl(config, lanes);
  if (!base) return [];
  return planRedirectQrSync(lanes, await listRedirectQrs(client, lanes, prune), base, prune);
}

export const redirectLabelOf = (item: RedirectQrPlanItem): string =>
  `${item.laneId ?? `${item.msn}/${item.id}`} (redirect)`;

async function apply(client: VippsClient, item: RedirectQrPlanItem): Promise<void> {
  const ref = { msn: item.msn, id: item.id };
  if (item.action === 'prune') await client.qr.redirect.delete(ref);
  else if (item.action === 'create')
    await client.qr.redirect.create({ ...ref, redirectUrl: item.redirectUrl });
  else await client.qr.redirect.update({ ...ref, redirectUrl: item.redirectUrl });
}

export function executeRedirectPlan(
  client: VippsClient,
  plan: readonly RedirectQrPlanItem[],
  io: Io,
): Promise<RedirectQrSyncResult[]> {
  return executePlan(plan, io, redirectLabelOf, (item) => apply(client, item));
}

export function redirectPlanLine(item: RedirectQrPlanItem): string {
  const was = item.currentRedirectUrl === undefined ? '' : ` (was ${item.currentRedirectUrl})`;
  return `${item.action.padEnd(9)} ${redirectLabelOf(item)}  ${item.msn}/${item.id}  -> ${item.redirectUrl}${was}`;
}

export function redirectSummaryLine(c: QrPlanCounts, dryRun: boolean, failed: number): string {
  const head = dryRun
    ? `redirect QR plan: ${c.create} to create, ${c.update} to update, ${c.unchanged} unchanged, ${c.prune} to delete`
    : `redirect QRs: ${c.create} created, ${c.update} updated, ${c.unchanged} unchanged, ${c.prune} deleted, ${failed} failed`;
  const extra = c.extra === 0 ? '' : `; ${c.extra} for no redirect-qr lane (kept; --prune deletes them)`;
  return head + extra;
}

/** Counts of a plan, or after a run of what was done (a failed create is not "created"), and the failures. */
export function planOutcome(
  items: readonly ({ readonly action: QrAction } | Executed<{ readonly action: QrAction }>)[],
): {
  counts: QrPlanCounts;
  failed: number;
} {
  const failed = items.filter((i) => 'result' in i && i.result === 'failed').length;
  return { counts: countActions(items.filter((i) => !('result' in i) || i.result !== 'failed')), failed };
}
