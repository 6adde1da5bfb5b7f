// The merchant-redirect half of `qr sync`'s plan (pure): every lane offering redirect-qr has a merchant-redirect
// code, id = the lane id, opening PUBLIC_BASE_URL/pay/{laneId} (src/pay/). A code is the gateway's when its
// redirectUrl is one of its pay pages; only those can be extra (a lane gone, or no longer offering redirect-qr)
// and pruned. Codes leading anywhere else (a billboard's) are the merchant's own and never touched or listed.
import { lanePairings, type Lane } from '../lanes/lane';
import { payPageUrl } from '../pay/urls';
import type { MerchantRedirectQr } from '../vipps';
import type { QrAction } from './qr-plan';

export interface RedirectQrPlanItem {
  readonly action: QrAction;
  readonly msn: string;
  /** The code's id: the lane id for the gateway's codes. */
  readonly id: string;
  /** Absent for extra codes. */
  readonly laneId?: string;
  /** Where the code will lead: the lane's pay page, or an extra code's current target. */
  readonly redirectUrl: string;
  /** `update` only: where it leads now. */
  readonly currentRedirectUrl?: string;
}

/** The codes Vipps has, per MSN as listed. */
export interface ExistingRedirectQr {
  readonly msn: string;
  readonly qr: MerchantRedirectQr;
}

export function offersRedirectQr(lane: Lane): boolean {
  return lanePairings(lane).includes('redirect-qr');
}

const keyOf = (msn: string, id: string): string => `${msn}\n${id}`;

export function planRedirectQrSync(
  lanes: readonly Lane[],
  existing: readonly ExistingRedirectQr[],
  publicBaseUrl: URL,
  prune: boolean,
): RedirectQrPlanItem[] {
  const byKey = new Map(existing.map((e) => [keyOf(e.msn, e.qr.id), e.qr]));
  const wanted = lanes.filter(offersRedirectQr);
  const items: RedirectQrPlanItem[] = wanted.map((lane) => {
    const base = {
      msn: lane.msn,
      id: lane.id,
      laneId: lane.id,
      redirectUrl: payPageUrl(publicBaseUrl, lane.id),
    };
    const qr = byKey.get(keyOf(lane.msn, lane.id));
    if (!qr) return { action: 'create', ...base };
    if (qr.redirectUrl !== base.redirectUrl)
      return { action: 'update', ...base, currentRedirectUrl: qr.redirectUrl };
    return { action: 'unchanged', ...base };
  });
  const inFile = new Set(wanted.map((l) => keyOf(l.msn, l.id)));
  const ours = `${payPageUrl(publicBaseUrl, '')}`; // …/pay/ — every pay page starts so
  const extras = existing
    .filter((e) => e.qr.redirectUrl.startsWith(ours) && !inFile.has(keyOf(e.msn, e.qr.id)))
    .sort((a, b) => a.msn.localeCompare(b.msn) || a.qr.id.localeCompare(b.qr.id));
  for (const e of extras)
    items.push({
      action: prune ? 'prune' : 'extra',
      msn: e.msn,
      id: e.qr.id,
      redirectUrl: e.qr.redirectUrl,
    });
  return items;
}
