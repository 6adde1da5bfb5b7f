// Injected faults for the emulated Vipps APIs (never the control API): added latency, error responses
// (429/500/503/...) and timeouts (the request is held unanswered), each with a rate drawn from the injected
// seeded RNG so a run can be repeated exactly. One fault per API; '*' applies where an API has none.
import type { NextFunction, Request, Response } from 'express';
import type { EmulatorContext } from './context';
import { EmulatedApiError, type ErrorShape, sendRendered } from './problem';
import type { Fault, FaultApi } from './state';

export const FAULT_APIS: readonly FaultApi[] = ['epayment', 'qr', 'webhooks', 'token', '*'];
export const FAULT_STATUSES: readonly number[] = [429, 500, 502, 503, 504];
/** A "timed out" request is answered by nobody; the socket is destroyed after this long at most. */
const HOLD_MS = 60_000;

/** mulberry32: a small seeded PRNG, good enough for fault dice and reproducible across runs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Validates a control-API fault body; returns the fault or a list of problems. */
export function parseFault(body: unknown): { fault: Fault; seed?: number } | { errors: string[] } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const errors: string[] = [];
  const rate = (name: string): number => {
    const v = b[name] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) errors.push(`${name} must be a number from 0 to 1`);
    return typeof v === 'number' ? v : 0;
  };
  const api = b['api'];
  if (typeof api !== 'string' || !FAULT_APIS.includes(api as FaultApi))
    errors.push(`api must be one of ${FAULT_APIS.join(', ')}`);
  const latencyMs = b['latencyMs'] ?? 0;
  if (typeof latencyMs !== 'number' || !Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000)
    errors.push('latencyMs must be an integer from 0 to 60000');
  const statuses = b['statuses'] ?? [500];
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    statuses.some((s) => !FAULT_STATUSES.includes(s as number))
  )
    errors.push(`statuses must be a non-empty array of ${FAULT_STATUSES.join(', ')}`);
  const times = b['times'];
  if (times !== undefined && (typeof times !== 'number' || !Number.isInteger(times) || times < 1))
    errors.push('times must be a positive integer');
  const seed = b['seed'];
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed)))
    errors.push('seed must be an integer');
  const errorRate = rate('errorRate');
  const timeoutRate = rate('timeoutRate');
  if (errors.length > 0) return { errors };
  const fault: Fault = {
    api: api as FaultApi,
    latencyMs: latencyMs as number,
    errorRate,
    statuses: statuses as number[],
    timeoutRate,
    remaining: times as number | undefined,
  };
  return seed === undefined ? { fault } : { fault, seed: seed as number };
}

export function faultView(f: Fault): object {
  return { ...f, remaining: f.remaining ?? null };
}

/** Middleware for one API: applies its fault (or the '*' one) before auth, as an upstream failure would. */
export function faultInjector(
  ctx: EmulatorContext,
  api: Exclude<FaultApi, '*'>,
  shape: ErrorShape,
  held: Set<Response>,
) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const fault = ctx.state.faults.get(api) ?? ctx.state.faults.get('*');
    if (!fault) return next();
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) ctx.state.faults.delete(fault.api);
    }
    if (fault.latencyMs > 0) await new Promise<void>((resolve) => ctx.timers.after(fault.latencyMs, resolve));
    const roll = ctx.random();
    if (roll < fault.timeoutRate) {
      held.add(res);
      res.on('close', () => held.delete(res));
      ctx.timers.after(HOLD_MS, () => res.destroy());
      return;
    }
    if (roll < fault.timeoutRate + fault.errorRate) {
      const status = fault.statuses[Math.floor(ctx.random() * fault.statuses.length)] ?? 500;
      const err = new EmulatedApiError(
        status,
        status === 429 ? 'Too Many Requests' : 'Injected fault',
        `Fault injected by the emulator for the ${api} API.`,
      );
      const rendered = shape(err, req.originalUrl.split('?')[0] ?? req.path);
      sendRendered(res, rendered, status === 429 || status === 503 ? { 'Retry-After': '1' } : {});
      return;
    }
    next();
  };
}
