// How a refund request's outcome is answered over HTTP, the same on the controller API and the admin API.
import type { Response } from 'express';
import type { RefundResult } from '../settlement/refund-request';
import { sendProblem } from './problem';

export function answerRefund(res: Response, r: RefundResult, reference?: string): void {
  switch (r.kind) {
    case 'accepted':
    case 'duplicate':
      res.status(r.kind === 'accepted' ? 202 : 200).json({
        status: r.kind,
        reference: r.settlement.reference,
        sessionId: r.settlement.sessionId,
        refund: r.refund,
      });
      return;
    case 'not-found':
      return sendProblem(res, {
        status: 404,
        code: 'payment_not_found',
        title: 'No such payment',
        ...(reference ? { detail: `no settled payment has reference ${reference}` } : {}),
      });
    case 'not-finished':
      return sendProblem(res, {
        status: 409,
        code: 'session_in_progress',
        title: 'The session has not ended yet',
        detail: 'a refund gives back captured money: ask again once the session has completed',
      });
    case 'conflict':
      return sendProblem(res, {
        status: 409,
        code: 'refund_conflict',
        title: 'This refundId was used with another amount',
        detail: `refundId ${r.existing.id} already asks for ${r.existing.amount}`,
      });
    case 'exceeds':
      return sendProblem(res, {
        status: 422,
        code: 'refund_exceeds_captured',
        title: 'The amount exceeds what can still be refunded',
        detail: `at most ${r.refundable} (minor units) can still be refunded`,
      });
  }
}
