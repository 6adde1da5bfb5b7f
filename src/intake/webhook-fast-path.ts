// The webhook route's fast path. Vipps calls the webhook at volume, and on a 2-core box Express's router, body
// parser and response helpers cost more CPU than verifying and queuing a delivery (bench/intake: about twice the
// throughput without them). So the common case — a POST to the registered path with a JSON body of a declared
// length within the limit, not compressed, that verifies — is read and answered here, on Node's own request and
// response, by the same code that answers it behind Express (webhook-delivery.ts). Everything else goes to
// Express unchanged: other methods, types and framings before the body is read, and deliveries that fail
// verification after (the rate limiter and the 401 live there), with the bytes already read handed over.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log';
import { chooseRequestId } from '../http/request-id';
import { isJsonContentType } from './content-type';
import { nodeReply } from './reply';
import { answerVerified, recordOutcome, verifyDelivery } from './webhook-delivery';
import { bodyError, MAX_BODY_BYTES, type WebhookRouterDeps } from './webhook-router';

export type FastPath = (req: IncomingMessage, res: ServerResponse, express: () => void) => void;

const DIGITS = /^\d{1,9}$/;

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Only what Express would read and pass to verification as it is; the rest is left to Express. */
function takes(req: IncomingMessage, path: string): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if ((q === -1 ? url : url.slice(0, q)) !== path) return false;
  const h = req.headers;
  if (!isJsonContentType(h['content-type'])) return false;
  if (h['transfer-encoding'] !== undefined) return false;
  if (h['content-encoding'] !== undefined && h['content-encoding'] !== 'identity') return false;
  const length = h['content-length'];
  return length !== undefined && DIGITS.test(length) && Number(length) <= MAX_BODY_BYTES;
}

function readBody(req: IncomingMessage, done: (err: Error | undefined, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let settled = false;
  const settle = (err: Error | undefined): void => {
    if (settled) return;
    settled = true;
    done(err, err ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  };
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => settle(undefined));
  req.once('error', (err) => settle(err));
}

export function createWebhookFastPath(deps: WebhookRouterDeps): FastPath {
  const path = deps.listenPath ?? deps.publicUrl.pathname;
  return (req, res, express) => {
    if (!takes(req, path)) return express();
    const started = performance.now();
    readBody(req, (err, rawBody) => {
      const reply = nodeReply(res);
      if (err) {
        // The client went away mid-body (what Express answers 400 too); nothing was read, nothing queued.
        if (!res.headersSent) reply.problem(bodyError(err));
        return recordOutcome(deps, started, 'rejected');
      }
      const verdict = verifyDelivery(deps, req.url ?? '', req.headers, rawBody);
      if (!verdict.ok) {
        // Express's body parser sees a finished request and leaves `body` as it is.
        (req as IncomingMessage & { body?: Buffer }).body = rawBody;
        return express();
      }
      const requestId = chooseRequestId(single(req.headers['x-request-id']));
      res.setHeader('X-Request-Id', requestId);
      let log: Logger | undefined;
      answerVerified(deps, {
        started,
        rawBody,
        secretIndex: verdict.secretIndex,
        contentType: single(req.headers['content-type']),
        webhookId: single(req.headers['webhook-id']),
        log: () => (log ??= deps.logger.child({ requestId })),
        reply,
      }).catch((unexpected: unknown) => {
        // As Express's error handler: logged, answered 500 without internals (Vipps retries).
        (log ??= deps.logger.child({ requestId })).error('unhandled request error', { err: unexpected });
        if (!res.headersSent) reply.problem({ status: 500, code: 'internal_error', title: 'Internal error' });
        recordOutcome(deps, started, 'error');
      });
    });
  };
}
