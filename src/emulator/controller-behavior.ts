// What the sandbox's simulated lane controller does when a vending lane is authorized, per lane, as set through
// `PUT /emulator/v1/controllers/{laneId}`. Pure: parsing and the default amount only.

export type DispenseResult = 'dispensed' | 'failed' | 'silent';
export const DISPENSE_RESULTS: readonly DispenseResult[] = ['dispensed', 'failed', 'silent'];

export interface DispenseBehavior {
  /** `silent` never reports, so the gateway's dispense timeout cancels the reservation. */
  readonly result: DispenseResult;
  /** Minor units reported with `dispensed`; default: a quarter of the authorized maxAmount in whole units. */
  readonly amount?: number;
  /** Delay between `session.authorized` and the report, in ms; default: the controller's `afterMs`. */
  readonly afterMs?: number;
}

export interface ControllerBehavior {
  readonly dispense: DispenseBehavior;
}

export const DEFAULT_BEHAVIOR: ControllerBehavior = Object.freeze({
  dispense: Object.freeze({ result: 'dispensed' }) as DispenseBehavior,
});

/** Longest delay accepted, in ms: past the longest dispense timeout a lane may have (600 s). */
const MAX_AFTER_MS = 600_000;

/**
 * A quarter of `maxAmount`, rounded to whole kroner/crowns/euros (100 minor units), at least one whole unit
 * and never above `maxAmount`: 10000 (100.00 NOK) ⇒ 2500.
 */
export function defaultDispenseAmount(maxAmount: number): number {
  return Math.min(maxAmount, Math.max(100, Math.round(maxAmount / 400) * 100));
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a PUT body; returns the behaviour or every problem found (one string per field). */
export function parseControllerBehavior(body: unknown): ControllerBehavior | { readonly errors: string[] } {
  if (!isRecord(body) || !isRecord(body['dispense']))
    return { errors: ['dispense must be an object: {"dispense": {"result": "dispensed"}}'] };
  const errors: string[] = [];
  const unknown = Object.keys(body).filter((k) => k !== 'dispense');
  if (unknown.length > 0) errors.push(`unknown field(s): ${unknown.join(', ')}`);
  const { result, amount, afterMs, ...rest } = body['dispense'];
  if (Object.keys(rest).length > 0) errors.push(`unknown dispense field(s): ${Object.keys(rest).join(', ')}`);
  if (typeof result !== 'string' || !DISPENSE_RESULTS.includes(result as DispenseResult))
    errors.push(`dispense.result must be one of ${DISPENSE_RESULTS.join(', ')}`);
  if (amount !== undefined && (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1))
    errors.push('dispense.amount must be a positive integer in minor units');
  if (amount !== undefined && result !== 'dispensed')
    errors.push('dispense.amount is only allowed with result "dispensed"');
  if (
    afterMs !== undefined &&
    (typeof afterMs !== 'number' || !Number.isInteger(afterMs) || afterMs < 0 || afterMs > MAX_AFTER_MS)
  )
    errors.push(`dispense.afterMs must be an integer from 0 to ${MAX_AFTER_MS}`);
  if (errors.length > 0) return { errors };
  return {
    dispense: {
      result: result as DispenseResult,
      ...(amount === undefined ? {} : { amount: amount as number }),
      ...(afterMs === undefined ? {} : { afterMs: afterMs as number }),
    },
  };
}
