// Errors the emulated APIs answer with, in Vipps's own body shapes (vipps-protocol.md §2, §4, §6.6):
// - ePayment / Webhooks: problem+json `{type, title, status, detail, instance, traceId, extraDetails}`; a domain
//   error carries `{name: "ErrorCode", reason: "6080"}`, a malformed field is named without a code;
// - QR: `QrErrorResponse` `{type, title, detail, instance, invalidParams}` (no status in the body).
// Handlers throw `EmulatedApiError`; each router's error handler renders it in its API's shape.
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log';

export interface ExtraDetail {
  readonly name: string;
  readonly reason: string;
}

export class EmulatedApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extraDetails: readonly ExtraDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(title);
    this.name = 'EmulatedApiError';
  }

  /** A domain error: the numeric Vipps code goes in `extraDetails` as `ErrorCode`. */
  static coded(status: number, code: string, title: string, detail: string): EmulatedApiError {
    return new EmulatedApiError(status, title, detail, [{ name: 'ErrorCode', reason: code }]);
  }

  /** A malformed or missing field: HTTP 400 naming the field, without an error code (as ePayment does). */
  static field(name: string, reason: string): EmulatedApiError {
    return new EmulatedApiError(400, 'Bad Request', 'See extraDetails for further details', [
      { name, reason },
    ]);
  }

  get code(): string | undefined {
    return this.extraDetails.find((d) => d.name === 'ErrorCode')?.reason;
  }
}

export function traceId(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export interface RenderedError {
  readonly status: number;
  readonly body: unknown;
  readonly contentType: string;
}

export function problemBody(err: EmulatedApiError, instance: string): RenderedError {
  return {
    status: err.status,
    contentType: 'application/problem+json',
    body: {
      type: `https://httpstatuses.io/${err.status}`,
      title: err.title,
      status: err.status,
      detail: err.detail,
      instance,
      traceId: traceId(),
      extraDetails: err.extraDetails,
    },
  };
}

export function qrErrorBody(err: EmulatedApiError, instance: string): RenderedError {
  const invalidParams = err.extraDetails.filter((d) => d.name !== 'ErrorCode');
  return {
    status: err.status,
    contentType: 'application/problem+json',
    body: {
      type: `https://httpstatuses.io/${err.status}`,
      title: err.title,
      detail: err.detail,
      instance,
      ...(invalidParams.length > 0 ? { invalidParams } : {}),
    },
  };
}

export function sendRendered(
  res: Response,
  r: RenderedError,
  headers: Readonly<Record<string, string>> = {},
): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(r.status).type(r.contentType).send(JSON.stringify(r.body));
}

export type ErrorShape = (err: EmulatedApiError, instance: string) => RenderedError;

/** Express error handler for one emulated API: known errors in that API's shape, bad JSON as 400, else 500. */
export function apiErrorHandler(shape: ErrorShape, logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const known = toEmulatedError(err);
    if (!known) logger.error('emulator: unexpected error', { path: req.path, error: err });
    const error =
      known ??
      new EmulatedApiError(500, 'Internal Server Error', 'The emulator failed to handle the request');
    sendRendered(res, shape(error, req.originalUrl.split('?')[0] ?? req.path), error.headers);
  };
}

/** Our own errors, and the body parser's client errors (bad JSON, too large, wrong charset); else undefined. */
function toEmulatedError(err: unknown): EmulatedApiError | undefined {
  if (err instanceof EmulatedApiError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    type?: unknown;
    status?: unknown;
    expose?: unknown;
  };
  if (e.type === 'entity.parse.failed')
    return EmulatedApiError.field('body', 'The request body is not valid JSON');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true)
    return new EmulatedApiError(e.status, 'Bad Request', `The request body was refused (${String(e.type)}).`);
  return undefined;
}

/** Unknown paths under an emulated API answer in that API's shape rather than Express's HTML 404. */
export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new EmulatedApiError(404, 'Not Found', 'No such endpoint in this API.'));
}
