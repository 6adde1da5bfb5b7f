// A lane is one QR code on one machine (architecture §2). Amounts are in minor units (øre, cents).
import type { QrCategory } from '../vipps/qr';
export type LaneKind = 'vending' | 'self-checkout';

/**
 * How a customer meets the lane (issue 16, the QR API's "Payment flows involving QR codes"): a merchant-callback
 * sticker (check-in → push with customerToken), a customer-facing screen (`userFlow: QR`), the lane's scanner
 * reading the customer's personal QR (push with personalQr), a merchant-redirect sticker (web page →
 * `WEB_REDIRECT`). Only the ePayment create differs; every session then runs the same machine.
 */
export const PAIRINGS = ['callback-qr', 'screen-qr', 'personal-qr', 'redirect-qr'] as const;
export type Pairing = (typeof PAIRINGS)[number];

export type ControllerChannel =
  /** `implicit`: the lane has no `controller` field; the sandbox makes such a lane `simulated`. */
  | { readonly type: 'log'; readonly implicit?: true }
  /** The sandbox's simulated vending machine (src/emulator/simulated-controller.ts); sandbox only. */
  | { readonly type: 'simulated' }
  | { readonly type: 'webhook'; readonly url: string; readonly secretEnv: string }
  | { readonly type: 'sqs'; readonly queueUrl: string };

export interface Lane {
  readonly id: string;
  readonly kind: LaneKind;
  readonly msn: string;
  readonly merchantQrId: string;
  /** ≤ 36 characters: the QR's locationDescription. */
  readonly description: string;
  readonly currency: 'NOK' | 'DKK' | 'EUR';
  /** vending: the amount reserved on check-in. */
  readonly maxAmount?: number;
  /** self-checkout: optional fixed price used when no sale is opened. */
  readonly fixedAmount?: number;
  /** Overrides CHECKIN_MAX_AGE_S for this lane. */
  readonly checkinMaxAgeS?: number;
  /** vending: how long to wait for the controller's dispense report before cancelling (default 60; validateLanes fills it in). */
  readonly dispenseTimeoutS?: number;
  /** self-checkout: how long a check-in may wait for a sale (capped by the 15-minute token lifetime; validateLanes fills in 900). */
  readonly saleWaitS?: number;
  readonly enabled: boolean;
  readonly controller: ControllerChannel;
  /** The pairings the lane offers, as the lanes file lists them; absent = ['callback-qr'] (lanePairings). */
  readonly pairings?: readonly Pairing[];
  /** screen-qr: where the dynamic QR comes from; only 'epayment' (`userFlow: QR`) is supported (issue 16). */
  readonly qrSource?: 'epayment';
  /** The callback QR's category in the QR API (IN_STORE | VENDING); default VENDING for vending lanes (issue 15). */
  readonly qrCategory?: QrCategory;
}

/** The pairings a lane offers (hand-built lanes without the field offer the callback sticker only). */
export function lanePairings(lane: Pick<Lane, 'pairings'>): readonly Pairing[] {
  return lane.pairings ?? ['callback-qr'];
}

/** In-memory registry, swapped whole on reload. Lookup by (msn, merchantQrId) is O(1). */
export interface LaneRegistry {
  byQr(msn: string, merchantQrId: string): Lane | undefined;
  byId(id: string): Lane | undefined;
  all(): readonly Lane[];
  readonly size: number;
}

/**
 * Reference → lane: an `epayments.payment.*.v1` event carries only the ePayment reference, which starts
 * with `cg` + laneRefKey(laneId) + `-` (reference-key.ts). Kept apart from LaneRegistry so that existing
 * hand-written registries (test fixtures) stay valid; createLaneRegistry returns both.
 */
export interface LaneReferenceIndex {
  /** By laneRefKey(lane.id): 12 lowercase hex. */
  byRefKey(refKey: string): Lane | undefined;
  /** The lane id of a reference built by this gateway (`cg<refKey>-…`), else undefined. */
  laneIdForReference(reference: string): string | undefined;
}

export type IndexedLaneRegistry = LaneRegistry & LaneReferenceIndex;
