// The plan of `qr sync` (pure): compare the lanes file with the merchant-callback QRs Vipps has for the same
// MSNs (vipps-protocol.md §4). A PUT creates a code or updates only its description and category, so a lane
// needs one when its code is missing or either differs; codes of those MSNs that no lane uses are extra.
// Category (issue 15): VENDING for vending lanes, IN_STORE (Vipps's default) for self-checkout, unless the lane
// says otherwise in `qrCategory`; it changes the app's wording.
import type { Lane } from '../lanes/lane';
import type { MerchantCallbackQr } from '../vipps';
import type { QrCategory } from '../vipps/qr';

export function qrCategoryOf(lane: Pick<Lane, 'kind' | 'qrCategory'>): QrCategory {
  return lane.qrCategory ?? (lane.kind === 'vending' ? 'VENDING' : 'IN_STORE');
}

/** `prune` = an extra code that --prune deletes; `extra` = one that is kept. */
export type QrAction = 'create' | 'update' | 'unchanged' | 'prune' | 'extra';

export interface QrPlanItem {
  readonly action: QrAction;
  readonly msn: string;
  readonly merchantQrId: string;
  /** Absent for codes no lane uses. */
  readonly laneId?: string;
  /** What the code will say: the lane's description, or an extra code's current one. */
  readonly description: string;
  /** `update` only: what Vipps has now. */
  readonly currentDescription?: string;
  /** The lane's category (absent for codes no lane uses). */
  readonly category?: QrCategory;
  /** `update` only, when the category differs: what Vipps has now (absent there = IN_STORE). */
  readonly currentCategory?: string;
}

const keyOf = (msn: string, merchantQrId: string): string => `${msn}\n${merchantQrId}`;

export function planQrSync(
  lanes: readonly Lane[],
  existing: readonly MerchantCallbackQr[],
  prune: boolean,
): QrPlanItem[] {
  const byKey = new Map(existing.map((q) => [keyOf(q.merchantSerialNumber, q.merchantQrId), q]));
  const items: QrPlanItem[] = lanes.map((lane) => {
    const qr = byKey.get(keyOf(lane.msn, lane.merchantQrId));
    const base = {
      msn: lane.msn,
      merchantQrId: lane.merchantQrId,
      laneId: lane.id,
      description: lane.description,
      category: qrCategoryOf(lane),
    };
    if (!qr) return { action: 'create', ...base };
    const current = qr.category ?? 'IN_STORE';
    const describedOther = qr.locationDescription !== lane.description;
    if (describedOther || current !== base.category)
      return {
        action: 'update',
        ...base,
        ...(describedOther ? { currentDescription: qr.locationDescription } : {}),
        ...(current !== base.category ? { currentCategory: current } : {}),
      };
    return { action: 'unchanged', ...base };
  });
  const inFile = new Set(lanes.map((l) => keyOf(l.msn, l.merchantQrId)));
  const extras = existing
    .filter((q) => !inFile.has(keyOf(q.merchantSerialNumber, q.merchantQrId)))
    .sort(
      (a, b) =>
        a.merchantSerialNumber.localeCompare(b.merchantSerialNumber) ||
        a.merchantQrId.localeCompare(b.merchantQrId),
    );
  for (const q of extras)
    items.push({
      action: prune ? 'prune' : 'extra',
      msn: q.merchantSerialNumber,
      merchantQrId: q.merchantQrId,
      description: q.locationDescription,
    });
  return items;
}

export type QrPlanCounts = Record<QrAction, number>;

export function countActions(items: readonly { readonly action: QrAction }[]): QrPlanCounts {
  const counts: QrPlanCounts = { create: 0, update: 0, unchanged: 0, prune: 0, extra: 0 };
  for (const item of items) counts[item.action] += 1;
  return counts;
}
