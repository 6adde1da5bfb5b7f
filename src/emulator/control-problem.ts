// The control API's own errors (not Vipps's): the gateway's problem+json shape with an `emulator.*` code.
import type { Response } from 'express';
import { sendProblem } from '../http/problem';

export function invalid(res: Response, detail: string): void {
  sendProblem(res, { status: 400, code: 'emulator.invalid-request', title: 'Invalid request', detail });
}

/** A JSON object body's keys that are not in `allowed`, as one problem line, or undefined when all are known. */
export function unknownFields(body: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  return unknown.length === 0
    ? undefined
    : `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
