// Injected faults for the emulated Vipps APIs (never the control API): added latency, error responses
// (429/500/503/..., or any status with a Vipps error code) and timeouts (the request is held unanswered), each
// with a rate drawn from the injected seeded RNG so a run can be repeated exactly. One fault per API or ePayment
// operation (fault-body.ts): `epayment/capture` wins over `epayment`, which wins over '*'. A succeedThenFail
// fault lets the call change state and replaces its answer: "the capture went through, the answer was lost".
import type { NextFunction, Request, Response } from 'express';
import type { EmulatorContext } from './context';
import { ERROR_CODE_TITLES } from './fault-body';
import { EmulatedApiError, type ErrorShape, sendRendered } from './problem';
import { faultKey, type EpaymentOperation, type Fault, type FaultApi } from './state';

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

const EPAYMENT_PATH = /^\/v1\/payments(?:\/([^/]+)(?:\/(capture|cancel|refund|events))?)?\/?$/;

/** Which ePayment operation a request under /epayment is; undefined for the event log and the test approve. */
export function epaymentOperation(method: string, path: string): EpaymentOperation | undefined {
  const m = EPAYMENT_PATH.exec(path);
  if (!m) return undefined;
  const [, reference, action] = m;
  if (reference === undefined) return method === 'POST' ? 'create' : undefined;
  if (action === undefined) return method === 'GET' ? 'get' : undefined;
  return method === 'POST' && action !== 'events' ? (action as EpaymentOperation) : undefined;
}

function faultFor(ctx: EmulatorContext, api: Exclude<FaultApi, '*'>, req: Request): Fault | undefined {
  const operation = api === 'epayment' ? epaymentOperation(req.method, req.path) : undefined;
  const faults = ctx.state.faults;
  return (
    (operation === undefined ? undefined : faults.get(faultKey(api, operation))) ??
    faults.get(api) ??
    faults.get('*')
  );
}

function injectedError(ctx: EmulatorContext, fault: Fault, api: string): EmulatedApiError {
  const status = fault.statuses[Math.floor(ctx.random() * fault.statuses.length)] ?? 500;
  const title =
    (fault.errorCode === undefined ? undefined : ERROR_CODE_TITLES[fault.errorCode]) ??
    (status === 429 ? 'Too Many Requests' : status === 423 ? 'Locked' : 'Injected fault');
  const scope = fault.operation === undefined ? api : `${api} ${fault.operation}`;
  return new EmulatedApiError(
    status,
    title,
    `Fault injected by the emulator for the ${scope} API.`,
    fault.errorCode === undefined ? [] : [{ name: 'ErrorCode', reason: fault.errorCode }],
    status === 429 || status === 503 ? { 'Retry-After': '1' } : {},
  );
}

/** Runs `answer` instead of the route's own answer, whether the route sends a body or only ends. */
function replaceAnswer(res: Response, answer: () => void): void {
  const { send, end } = res;
  const take = (): Response => {
    res.send = send;
    res.end = end;
    answer();
    return res;
  };
  res.send = take as Response['send'];
  res.end = take as Response['end'];
}

/** Middleware for one API: applies its fault before auth, as an upstream failure would. */
export function faultInjector(
  ctx: EmulatorContext,
  api: Exclude<FaultApi, '*'>,
  shape: ErrorShape,
  held: Set<Response>,
) {
  const hold = (res: Response): void => {
    held.add(res);
    res.on('close', () => held.delete(res));
    ctx.timers.after(HOLD_MS, () => res.destroy());
  };
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const fault = faultFor(ctx, api, req);
    if (!fault) return next();
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      const key = faultKey(fault.api, fault.operation);
      if (fault.remaining <= 0 && ctx.state.faults.get(key) === fault) ctx.state.faults.delete(key);
    }
    if (fault.latencyMs > 0) await new Promise<void>((resolve) => ctx.timers.after(fault.latencyMs, resolve));
    const roll = ctx.random();
    let answer: (() => void) | undefined;
    if (roll < fault.timeoutRate) answer = () => hold(res);
    else if (roll < fault.timeoutRate + fault.errorRate) {
      const err = injectedError(ctx, fault, api);
      const rendered = shape(err, req.originalUrl.split('?')[0] ?? req.path);
      answer = () => sendRendered(res, rendered, err.headers);
    }
    if (answer === undefined) return next();
    if (!fault.succeedThenFail) return answer();
    replaceAnswer(res, answer);
    next();
  };
}
