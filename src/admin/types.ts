// What the admin API and the console show (JSON as it goes out: instants are ISO-8601 strings, amounts minor
// units). One set of types for src/admin/routes-*.ts, the console's pages and the CLI.
import type { LaneKind } from '../lanes/lane';
import type { TimelineEntry, PaymentRow } from '../settlement/payments-view';

export type LaneState = 'idle' | 'busy' | 'disabled';

export interface ChannelHealth {
  /** The lane's controller channel type: log, simulated, webhook, sqs. */
  readonly type: string;
  readonly lastDeliveredAt: string | null;
  /** Lane messages not yet delivered (nor given up on). */
  readonly backlog: number;
  /** Age of the oldest of those, in s (null when none). */
  readonly oldestUndeliveredAgeS: number | null;
  /** Lane messages the controller refused for good (dead letters of kind lane-message). */
  readonly failed: number;
}

export interface LaneSummary {
  readonly id: string;
  readonly kind: LaneKind;
  readonly description: string;
  readonly enabled: boolean;
  readonly state: LaneState;
  readonly currentSession: {
    readonly id: string;
    readonly state: string;
    readonly ageS: number;
  } | null;
  readonly lastOutcome: {
    readonly sessionId: string;
    readonly state: string;
    readonly reason: string | null;
    readonly at: string;
  } | null;
  /** Sessions completed since midnight UTC, and what they captured. */
  readonly today: { readonly count: number; readonly amount: number; readonly currency: string };
  readonly channel: ChannelHealth;
}

export interface LanesQuery {
  /** Case-insensitive substring of the id or description. */
  readonly q?: string;
  readonly state?: LaneState;
  /** 1-based (default 1). */
  readonly page?: number;
  /** Default 50, at most 500. */
  readonly pageSize?: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Items matching the filter, over all pages. */
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly pages: number;
}

export interface SessionSummary {
  readonly id: string;
  readonly laneId: string;
  readonly kind: string;
  readonly state: string;
  readonly final: boolean;
  readonly reference: string;
  readonly amount: number | null;
  readonly captured: number;
  readonly currency: string | null;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly ageS: number;
}

export interface LaneDetail extends LaneSummary {
  readonly recentSessions: SessionSummary[];
}

export interface SessionsQuery {
  readonly laneId?: string;
  readonly state?: string;
  /** Created at or after. */
  readonly from?: Date;
  /** Created before. */
  readonly to?: Date;
  /** Default 50, at most 500. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page (newest first). */
  readonly cursor?: string;
}

export interface SessionsPage {
  readonly items: SessionSummary[];
  readonly nextCursor: string | null;
}

export interface SessionDetail {
  readonly session: SessionSummary & {
    readonly sale: unknown;
    readonly pending: unknown;
    readonly timers: Readonly<Record<string, string>>;
    readonly authorizedValue: number;
    readonly cancelledValue: number;
    readonly dispensedValue: number | null;
  };
  /** The session's payment (settlement), once one exists. */
  readonly payment: PaymentRow | null;
  /** Steps, ePayment calls and lane messages, oldest first. */
  readonly timeline: TimelineEntry[];
}

export interface WebhookRegistrationHealth {
  /** The sales unit it was listed for (registrations are per MSN). */
  readonly msn: string;
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  /** The URL is this gateway's PUBLIC_WEBHOOK_URL. */
  readonly urlMatches: boolean;
  /** Which kind it serves (check-in or ePayment; src/vipps/webhook-events.ts), if either. */
  readonly kind: 'checkin' | 'epayment' | null;
  /** Expected events of its kind that it lacks. */
  readonly missingEvents: readonly string[];
}

export interface SalesUnitWebhookHealth {
  readonly msn: string;
  /** Registrations for the expected URL carry every expected event. */
  readonly ok: boolean;
  /** Expected events no registration for the expected URL carries. */
  readonly missingEvents: readonly string[];
  /** Why its registrations could not be listed, if they could not. */
  readonly error: string | null;
}

export interface WebhookHealth {
  readonly expectedUrl: string;
  readonly expectedEvents: readonly string[];
  /** Registrations at Vipps for every MSN of the lanes (null with `error` when none could be listed). */
  readonly registrations: WebhookRegistrationHealth[] | null;
  readonly error: string | null;
  /** Per MSN of the lanes file. */
  readonly salesUnits: SalesUnitWebhookHealth[];
  /** Every MSN's registrations for the expected URL carry every expected event. */
  readonly ok: boolean;
  readonly lastDeliveryAt: string | null;
  /** Verification failures since start, by problem code. */
  readonly verificationFailures: Readonly<Record<string, number>>;
  /** This page of the sales units (sorted by MSN); `ok` and the lists above are about it alone. */
  readonly page: number;
  readonly pages: number;
  readonly pageSize: number;
  /** Sales units (distinct MSNs) of the lanes file. */
  readonly total: number;
}

export interface ConfigSetting {
  readonly name: string;
  /** The value as text; a secret is `****` (never any of it). */
  readonly value: string | null;
  readonly secret: boolean;
}
