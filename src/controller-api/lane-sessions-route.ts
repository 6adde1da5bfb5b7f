// POST /v1/lanes/{laneId}/sessions (docs/controller-api.openapi.yaml, issue 16): a lane with a customer-facing
// screen asks for a dynamic QR (`screen-qr`), a lane with a scanner starts a push to the customer's scanned
// personal QR (`personal-qr`). 201 with the session; 200 for the same attemptId again (one session, one
// payment). Checks: token → JSON → lane scope (403) → lane exists (404) → body (422; a bad attemptId or personal
// QR has its own code) → pairing offered, lane enabled, lane idle (409, nothing queued or charged).
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Lane } from '../lanes/lane';
import type { LaneStartRequest, LaneStartResult } from '../sessions/lane-start';
import type { Session } from '../sessions/types';
import type { QrFormat } from '../vipps/epayment';
import { sendControllerProblem, type FieldError } from './problems';

type StartSession = (laneId: string, req: LaneStartRequest) => Promise<LaneStartResult>;

const CONTROLLER_PAIRINGS = ['screen-qr', 'personal-qr'] as const;
const QR_IMAGE_FORMATS: readonly QrFormat['format'][] = ['IMAGE/SVG+XML', 'IMAGE/PNG'];
const FIELDS = ['attemptId', 'pairing', 'personalQr', 'qrFormat'];

/** Why a pairing this route does not start is refused, in the 422's words. */
const NOT_HERE: Record<string, string> = {
  'callback-qr': "callback-qr sessions start when a customer scans the lane's sticker",
  'redirect-qr': 'redirect-qr sessions start from the pay page (PUBLIC_BASE_URL/pay/{laneId})',
};

type Parsed = { ok: true; value: LaneStartRequest } | { ok: false; errors: FieldError[] };

/** The body's shape; attemptId and personalQr content are the service's to judge (their own codes). */
export function parseLaneSessionBody(body: unknown): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, errors: [{ field: '', message: 'the body must be a JSON object' }] };
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(b)
    .filter((k) => !FIELDS.includes(k))
    .map((field) => ({ field, message: 'is not a known field' }));
  const { attemptId, pairing, personalQr, qrFormat } = b;
  if (attemptId === undefined) errors.push({ field: 'attemptId', message: 'is required' });
  if (!CONTROLLER_PAIRINGS.includes(pairing as (typeof CONTROLLER_PAIRINGS)[number]))
    errors.push({
      field: 'pairing',
      message: NOT_HERE[pairing as string] ?? 'must be "screen-qr" or "personal-qr"',
    });
  if (pairing === 'personal-qr' && personalQr === undefined)
    errors.push({
      field: 'personalQr',
      message: 'is required with "personal-qr": the scanned code\'s content',
    });
  if (pairing !== 'personal-qr' && personalQr !== undefined)
    errors.push({ field: 'personalQr', message: 'is only for "personal-qr"' });
  const format = parseQrFormat(qrFormat, pairing, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      attemptId: attemptId as string,
      pairing: pairing as (typeof CONTROLLER_PAIRINGS)[number],
      ...(personalQr === undefined ? {} : { personalQr: personalQr as string }),
      ...(format ? { qrFormat: format } : {}),
    },
  };
}

function parseQrFormat(v: unknown, pairing: unknown, errors: FieldError[]): QrFormat | undefined {
  if (v === undefined) return undefined;
  if (pairing !== 'screen-qr') {
    errors.push({ field: 'qrFormat', message: 'is only for "screen-qr"' });
    return undefined;
  }
  const q = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const { format, size } = q;
  let ok = true;
  if (!QR_IMAGE_FORMATS.includes(format as QrFormat['format'])) {
    errors.push({ field: 'qrFormat.format', message: 'must be "IMAGE/SVG+XML" or "IMAGE/PNG"' });
    ok = false;
  }
  if (size !== undefined && (!Number.isInteger(size) || (size as number) < 100 || (size as number) > 2000)) {
    errors.push({ field: 'qrFormat.size', message: 'must be an integer number of pixels from 100 to 2000' });
    ok = false;
  }
  for (const key of Object.keys(q))
    if (key !== 'format' && key !== 'size')
      errors.push({ field: `qrFormat.${key}`, message: 'is not a known field' });
  if (!ok) return undefined;
  return { format: format as QrFormat['format'], ...(size === undefined ? {} : { size: size as number }) };
}

/** The answer's body: where the session is, and for a screen its QR once the payment exists. */
export function laneSessionJson(
  laneId: string,
  req: LaneStartRequest,
  sessionId: string,
  session: Session | null,
): Record<string, unknown> {
  return {
    sessionId,
    laneId,
    attemptId: req.attemptId,
    pairing: req.pairing,
    // `starting`: the worker had not taken the request when the wait ran out; lane messages follow as usual.
    state: session?.state ?? 'starting',
    reason: session?.reason ?? null,
    amount: session?.amount ?? null,
    orderId: session?.sale?.orderId ?? null,
    ...(req.pairing === 'screen-qr'
      ? {
          qrImageUrl: session?.redirectUrl ?? null,
          qrFormat: (session?.qrFormat ?? req.qrFormat)?.format ?? 'IMAGE/SVG+XML',
        }
      : {}),
  };
}

export function addLaneSessionsRoute(
  router: Router,
  auth: RequestHandler,
  json: RequestHandler,
  laneInScope: (req: Request, res: Response) => Lane | undefined,
  start: StartSession,
): void {
  router.post('/v1/lanes/:laneId/sessions', auth, json, async (req, res) => {
    const lane = laneInScope(req, res);
    if (!lane) return;
    const body = parseLaneSessionBody(req.body);
    if (!body.ok) {
      const detail = body.errors
        .map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`))
        .join('; ');
      return sendControllerProblem(res, 'invalid_body', detail, { errors: body.errors });
    }
    const result = await start(lane.id, body.value);
    if (result.status === 'problem') return sendControllerProblem(res, result.problem, result.detail);
    res
      .status(result.status === 'created' ? 201 : 200)
      .json(laneSessionJson(lane.id, body.value, result.sessionId, result.session));
  });
}
