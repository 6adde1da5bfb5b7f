// Everything the emulator's routes and services share: the state, the injected clock/logger/RNG, resolved
// settings and the event emitter tests await. Built once by `createEmulator`.
import type { KeyObject } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Currency, EmulatorState } from './state';
import type { Timers } from './timers';

export interface EmulatorSettings {
  /** Access-token lifetime (vipps-protocol.md §5: 1 h in test). */
  readonly tokenTtlS: number;
  /** customerToken validity from the scan (§3: 15 minutes). */
  readonly customerTokenTtlMs: number;
  /** Time a CREATED payment waits for the user before EXPIRED when `paymentTimeouts` is undefined (flat). */
  readonly userTimeoutMs: number;
  /** §6.2: 5 minutes to open the payment, then 5 to approve it (payments.ts); undefined = flat userTimeoutMs. */
  readonly paymentTimeouts: { readonly openMs: number; readonly approveMs: number } | undefined;
  /** Delay before the simulated customer approves/rejects when the scan did not say. */
  readonly approveAfterMs: number;
  /** §6.6: create/capture/cancel/refund per reference+MSN, get/events per reference+subscription key. */
  readonly modificationsPerMin: number;
  readonly readsPerMin: number;
  readonly deliveryDelaysMs: readonly number[];
  readonly deliveryTimeoutMs: number;
  /** Reject scans of QR codes that were never created (real Vipps only knows created codes). */
  readonly strictQr: boolean;
  readonly maxRegistrationsPerEvent: number;
  readonly maxCheckinRegistrations: number;
  /** Accept http:// registration URLs (Vipps: https only, §2). */
  readonly allowHttpRegistrations: boolean;
  /** Deliver a check-in to the partner-wide registration too when the sales unit has its own (Vipps: not). */
  readonly checkinToAllRegistrations: boolean;
  /** A failing delivery is retried until this long after its first attempt, on the emulator's clock (§1.5). */
  readonly deliveryMaxAgeMs: number;
  /** Oldest delivery records are dropped past this many (benchmarks run long). */
  readonly maxDeliveryRecords: number;
  /** Overrides the base of `qrImageUrl` and `redirectUrl`; otherwise taken from the request's Host. */
  readonly publicBaseUrl: string | undefined;
  /** How long after the reservation capture/cancel and refund are allowed (payment-rules.ts). */
  readonly deadlines: PaymentDeadlines;
}

export interface PaymentDeadlines {
  /** Capture and cancel, per currency (the sales unit's market). */
  readonly captureMs: Readonly<Record<Currency, number>>;
  readonly refundMs: number;
}

export interface EmulatorContext {
  readonly state: EmulatorState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: EmulatorSettings;
  /** 'payment' (Payment, PaymentEvent), 'delivery' (DeliveryRecord), 'scan' ({msn, merchantQrId}), 'idle'. */
  readonly events: EventEmitter;
  /**
   * HS256 key of this emulator's access tokens; tokens die with the process, as with a new Vipps key. A
   * KeyObject, because jsonwebtoken given raw bytes first tries (and fails) to read them as an asymmetric key
   * on every sign and verify, which cost more than the rest of an emulated request.
   */
  readonly jwtKey: KeyObject;
  readonly timers: Timers;
  random: () => number;
  /** Sends `body` as `event` to every registration of `msn` subscribed to it (see deliveries.ts). */
  readonly publish: (event: string, msn: string, body: unknown, reference?: string) => void;
}

/** Where this emulator is reachable for the caller: the configured public base URL, else the request's Host. */
export function baseUrlOf(
  ctx: EmulatorContext,
  req: { protocol: string; get(name: string): string | undefined },
): string {
  return (ctx.settings.publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`).replace(
    /\/$/,
    '',
  );
}
