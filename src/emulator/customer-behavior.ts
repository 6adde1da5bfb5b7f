// What a simulated customer does with a payment request (`behavior` of the control API's scans, customers and
// payment scans): approve, reject or ignore it, optionally after `afterMs`.
import type { CustomerBehavior } from './state';

const ACTIONS = ['approve', 'reject', 'ignore'];

/** The behavior, undefined when absent, or the problem as text. */
export function parseBehavior(v: unknown): CustomerBehavior | string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null) return 'behavior must be an object';
  const { action, afterMs } = v as Record<string, unknown>;
  if (typeof action !== 'string' || !ACTIONS.includes(action))
    return `behavior.action must be one of ${ACTIONS.join(', ')}`;
  if (afterMs !== undefined && (typeof afterMs !== 'number' || !Number.isInteger(afterMs) || afterMs < 0))
    return 'behavior.afterMs must be a non-negative integer';
  return { action: action as CustomerBehavior['action'], ...(afterMs === undefined ? {} : { afterMs }) };
}
