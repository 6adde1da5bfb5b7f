// The emulator's in-memory world: everything Vipps would keep server-side, in plain maps so tests and the
// control API can inspect it. Nothing here is durable; a restart is a fresh Vipps.

export type Currency = 'NOK' | 'DKK' | 'EUR';
export interface Money {
  readonly currency: Currency;
  readonly value: number;
}

export type PaymentState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
/** Event names of the event log and of `epayments.payment.<name lower-case>.v1` (vipps-protocol.md §6.3). */
export type PaymentEventName =
  'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED' | 'CANCELLED' | 'CAPTURED' | 'REFUNDED';

export interface PaymentEvent {
  readonly reference: string;
  readonly pspReference: string;
  readonly name: PaymentEventName;
  readonly amount: Money;
  readonly timestamp: string;
  readonly idempotencyKey?: string;
  readonly success: boolean;
}

export type CustomerAction = 'approve' | 'reject' | 'ignore';
/** What the simulated customer does with a push request; set by a scan (control API). */
export interface CustomerBehavior {
  readonly action: CustomerAction;
  readonly afterMs?: number;
}

export interface Aggregate {
  authorized: number;
  captured: number;
  cancelled: number;
  refunded: number;
}

export interface Payment {
  readonly msn: string;
  readonly reference: string;
  readonly pspReference: string;
  readonly amount: Money;
  readonly paymentMethod: { readonly type: string };
  readonly userFlow: string;
  readonly customerKind: 'customerToken' | 'phoneNumber' | 'personalQr' | 'none';
  readonly metadata?: Readonly<Record<string, string>>;
  readonly redirectUrl?: string;
  /** WEB_REDIRECT / NATIVE_REDIRECT: where the landing page sends the browser after approve or reject. */
  readonly returnUrl?: string;
  readonly createdAt: number;
  state: PaymentState;
  aggregate: Aggregate;
  events: PaymentEvent[];
  /** Every create request for this (msn, reference) the emulator processed, replays and conflicts included. */
  createCalls: number;
  /** When the simulated customer acts (approve ⇒ AUTHORIZED, reject ⇒ ABORTED); absent = never. */
  outcome?: { readonly state: 'AUTHORIZED' | 'ABORTED'; readonly at: number };
  /** When a still-CREATED payment becomes EXPIRED (the user timeout, §6.2; payments.ts expiryOf). */
  expiresAt: number;
  /** When the customer opened it (app or landing page); from then they have the approve window. */
  openedAt?: number;
  /** Created with `expiresAt` (a long-living payment): that instant is its expiry, opening changes nothing. */
  longLiving?: boolean;
  /** When the reservation was made (AUTHORIZED); the capture, cancel and refund deadlines count from here. */
  authorizedAt?: number;
  /** What the merchant's create asked for (issue 16: tests read the flow, customer and interaction back). */
  readonly request?: CreateRecord;
  /** userFlow QR: the image asked for with `qrFormat` (the create's redirectUrl points at it). */
  readonly qrFormat?: { readonly format: string; readonly size?: number };
  /** The simulated customer who got the push (personal QR) or scanned the payment's QR. */
  customerId?: string;
}

/** The create request as the ledger shows it; a customerToken is never repeated, only that one was sent. */
export interface CreateRecord {
  readonly userFlow: string;
  readonly customerInteraction: string | null;
  readonly customer:
    | { readonly customerToken: 'sent' }
    | { readonly personalQr: string }
    | { readonly phoneNumber: string }
    | null;
  readonly qrFormat?: { readonly format: string; readonly size?: number };
  readonly returnUrl?: string;
  readonly paymentDescription?: string;
}

/** A simulated customer with a personal QR (POST /emulator/v1/customers): scanned at a lane, or scanning one. */
export interface SimulatedCustomer {
  readonly customerId: string;
  /** What their app's personal QR holds; a merchant scans it and sends it as `customer.personalQr`. */
  readonly personalQr: string;
  behavior: CustomerBehavior;
  readonly createdAt: number;
}

/** Per sales unit (MSN) settings that Vipps keeps on its side; set through the control API. */
export interface MerchantSettings {
  /** False ⇒ a capture must take the whole remaining reservation (error 6140), as for some sales units. */
  readonly partialCapture: boolean;
}
export const DEFAULT_MERCHANT_SETTINGS: MerchantSettings = { partialCapture: true };

export interface CustomerToken {
  readonly msn: string;
  readonly merchantQrId: string;
  readonly issuedAt: number;
  readonly behavior: CustomerBehavior;
}

export interface MerchantCallbackQr {
  readonly msn: string;
  readonly merchantQrId: string;
  locationDescription: string;
  category?: string;
  readonly qrContent: string;
}

/** A merchant-redirect QR (QR API `/qr/v1/merchant-redirect`): a static code that opens `redirectUrl`. */
export interface MerchantRedirectQr {
  /** The sales unit's MSN, or `key-<hash of the subscription key>` without a Merchant-Serial-Number. */
  readonly owner: string;
  readonly id: string;
  redirectUrl: string;
  /** The text inside the code: the emulator's own redirect URL, so a changed `redirectUrl` needs no reprint. */
  readonly qrContent: string;
  /** Deleted permanently at this instant (`ttl`); absent = never (`expiresIn: -1`). */
  readonly expiresAt?: number;
}

export interface WebhookRegistration {
  readonly id: string;
  /** Undefined for a partner-wide registration (no Merchant-Serial-Number): it receives every MSN's events. */
  readonly msn: string | undefined;
  readonly url: string;
  readonly events: readonly string[];
  readonly secret: string;
  readonly createdAt: number;
}

export interface DeliveryRecord {
  readonly id: number;
  /** The `Webhook-Id` header: one per message, the same on every attempt (as observed, §1.4). */
  readonly webhookId: string;
  readonly registrationId: string;
  readonly url: string;
  readonly event: string;
  readonly reference?: string;
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
  readonly at: string;
  readonly durationMs: number;
}

export type FaultApi = 'epayment' | 'qr' | 'webhooks' | 'token' | '*';
/** The ePayment calls a fault can be scoped to (the event log and the test approve are not among them). */
export type EpaymentOperation = 'create' | 'get' | 'capture' | 'cancel' | 'refund';
export interface Fault {
  readonly api: FaultApi;
  /** Only this ePayment operation; undefined = every call of `api`. */
  readonly operation: EpaymentOperation | undefined;
  readonly latencyMs: number;
  readonly errorRate: number;
  readonly statuses: readonly number[];
  readonly timeoutRate: number;
  /** The Vipps code put in the problem body's `extraDetails` as `ErrorCode`; undefined = none. */
  readonly errorCode: string | undefined;
  /** The call is carried out, then answered with the error (or held unanswered) instead of its result. */
  readonly succeedThenFail: boolean;
  /** How many more requests the fault may touch; undefined = until cleared. */
  remaining: number | undefined;
}

export interface StoredResponse {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
  readonly contentType: string;
}

export interface EmulatorState {
  readonly payments: Map<string, Payment>;
  readonly customerTokens: Map<string, CustomerToken>;
  readonly qrs: Map<string, MerchantCallbackQr>;
  /** Merchant-redirect QRs by `qrKey(owner, id)`. */
  readonly redirectQrs: Map<string, MerchantRedirectQr>;
  /** Simulated customers by customerId (issue 16). */
  readonly customers: Map<string, SimulatedCustomer>;
  readonly webhooks: Map<string, WebhookRegistration>;
  readonly deliveries: DeliveryRecord[];
  readonly idempotency: Map<string, StoredResponse>;
  /** Accepted request times (ms) per rate-limit key, oldest first. */
  readonly rateWindows: Map<string, number[]>;
  /** One fault per `faultKey(api, operation)`: `epayment/capture` beats `epayment`, which beats `*`. */
  readonly faults: Map<string, Fault>;
  readonly merchants: Map<string, MerchantSettings>;
}

export function createState(): EmulatorState {
  return {
    payments: new Map(),
    customerTokens: new Map(),
    qrs: new Map(),
    redirectQrs: new Map(),
    customers: new Map(),
    webhooks: new Map(),
    deliveries: [],
    idempotency: new Map(),
    rateWindows: new Map(),
    faults: new Map(),
    merchants: new Map(),
  };
}

export function resetState(state: EmulatorState): void {
  state.payments.clear();
  state.customerTokens.clear();
  state.qrs.clear();
  state.redirectQrs.clear();
  state.customers.clear();
  state.webhooks.clear();
  state.deliveries.length = 0;
  state.idempotency.clear();
  state.rateWindows.clear();
  state.faults.clear();
  state.merchants.clear();
}

export const paymentKey = (msn: string, reference: string): string => `${msn}/${reference}`;
export const faultKey = (api: FaultApi, operation?: EpaymentOperation): string =>
  operation === undefined ? api : `${api}/${operation}`;
export const qrKey = (msn: string, merchantQrId: string): string => `${msn}/${merchantQrId}`;
