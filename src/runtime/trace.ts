// A trace hook for benchmarks (bench/e2e.ts): timestamps taken inside the gateway's process at the points whose
// gaps are the gateway's own latency. Optional everywhere and called as `trace?.(…)`, so when no one traces
// nothing is built or measured. `at` is `performance.now()` (ms, monotonic, comparable within the process).
import type { LaneMessage } from '../channels/channel';

export interface TraceFields {
  /** A verified Vipps delivery arrived at intake; `at` is when its request reached the route. */
  readonly 'webhook-received': { readonly at: number; readonly rawBody: Buffer };
  /** The lane's channel accepted a lane message. */
  readonly 'lane-message-sent': { readonly at: number; readonly message: LaneMessage };
}

export type TraceEvent = keyof TraceFields;

export type Trace = <E extends TraceEvent>(event: E, fields: TraceFields[E]) => void;
