// Payments: the settlement ledger with what is still owed highlighted, one payment's timeline, and a refund
// in two steps — a form, then a confirmation page that names the amount — before the audited POST. The
// refund id is fixed on the confirmation page, so sending the same confirmation twice refunds once.
import express, { Router } from 'express';
import { randomBytes } from 'node:crypto';
import type { PaymentRow } from '../../../settlement/payments-view';
import type { RefundResult } from '../../../settlement/refund-request';
import { REFUND_ID_PATTERN } from '../../../settlement/refund-request';
import { QueryError } from '../../query-params';
import { notFound, pageHandler, send, type ConsoleContext } from '../context';
import { ageText, badge, link, money, when } from '../format';
import { consoleSession, requireCsrf } from '../guard';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { formText } from '../params';
import { rowsOr, timelineTable } from '../rows';

const PAYMENT_HEADINGS = html`<tr>
  <th scope="col">Reference</th>
  <th scope="col">Lane</th>
  <th scope="col">Status</th>
  <th scope="col">Owed</th>
  <th scope="col" class="num">Sold</th>
  <th scope="col" class="num">Captured</th>
  <th scope="col" class="num">Refunded</th>
  <th scope="col">Created</th>
</tr>`;

function paymentRow(p: PaymentRow): SafeHtml {
  const outstanding = p.status !== 'settled';
  return html`<tr${outstanding ? html` class="outstanding"` : ''}>
<th scope="row"><a href="/console/payments/${encodeURIComponent(p.reference)}"><code>${p.reference}</code></a></th>
<td><a href="/console/lanes/${encodeURIComponent(p.laneId)}">${p.laneId}</a></td>
<td>${badge(p.status)}${p.reason ? html` <span class="muted">${p.reason}</span>` : ''}</td>
<td>${p.owed ? html`<strong>${p.owed} ${money(p.owedAmount, p.currency)}</strong>` : html`<span class="muted">nothing</span>`}</td>
<td class="num">${money(p.sold, p.currency)}</td>
<td class="num">${money(p.captured, p.currency)}</td>
<td class="num">${money(p.refunded, p.currency)}</td>
<td>${when(p.createdAt)}<br><span class="muted">${ageText(p.ageS)} ago</span></td>
</tr>`;
}

/** "25", "25.5" or "25.50" in major units → 2550 minor units; anything else is refused. */
export function parseAmount(text: string | undefined): number {
  const m = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec((text ?? '').trim());
  if (!m) throw new QueryError('amount must be a number like 25.00');
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  if (minor <= 0) throw new QueryError('amount must be more than 0');
  return minor;
}

function refundOutcome(r: RefundResult): { ok: boolean; text: string } {
  switch (r.kind) {
    case 'accepted':
      return { ok: true, text: 'The refund was accepted; the settlement sends it to Vipps and confirms it.' };
    case 'duplicate':
      return { ok: true, text: 'This refund was asked for already; nothing new was done.' };
    case 'not-found':
      return { ok: false, text: 'No payment has this reference.' };
    case 'not-finished':
      return { ok: false, text: 'The session has not ended yet: nothing is captured to give back.' };
    case 'conflict':
      return { ok: false, text: `Refund id ${r.existing.id} was used with another amount.` };
    case 'exceeds':
      return { ok: false, text: `At most ${money(r.refundable, null)} can still be refunded.` };
  }
}

export function paymentsPages(ctx: ConsoleContext): Router {
  const router = Router();
  const payments = ctx.services.payments;

  router.get(
    '/console/payments',
    pageHandler('payments', async (req) => {
      const outstanding = formText(req.query, 'outstanding') === 'true';
      const lane = formText(req.query, 'lane');
      const rows = await payments.list({
        ...(outstanding ? { outstanding: true } : {}),
        ...(lane ? { laneId: lane } : {}),
        limit: 200,
      });
      const owing = rows.filter((p) => p.status !== 'settled').length;
      return {
        title: 'Payments',
        nav: 'payments',
        body: html`<form method="get" action="/console/payments" class="filters">
            <label for="lane">Lane<input id="lane" name="lane" value="${lane ?? ''}" /></label>
            <label for="outstanding"
              >Show<select id="outstanding" name="outstanding">
                <option value="">all payments</option>
                <option value="true" ${outstanding ? html` selected` : ''}>outstanding only</option>
              </select></label
            >
            <button type="submit">Filter</button>
          </form>
          <p>
            ${owing} of the ${rows.length} payments shown are outstanding (highlighted): the settlement still
            owes Vipps a call or needs attention.
          </p>
          <table>
            <caption>
              Newest first, at most 200
            </caption>
            <thead>
              ${PAYMENT_HEADINGS}
            </thead>
            <tbody>
              ${rowsOr(rows, paymentRow, 8, 'No payments.')}
            </tbody>
          </table>`,
      };
    }),
  );

  router.get(
    '/console/payments/:reference',
    pageHandler('payments', async (req) => {
      const reference = String(req.params['reference']);
      const d = await payments.show(reference);
      if (!d) return notFound('payments', `No payment ${reference}.`);
      const p = d.payment;
      return {
        title: `Payment ${reference}`,
        nav: 'payments',
        body: html`<table>
            <thead>
              ${PAYMENT_HEADINGS}
            </thead>
            <tbody>
              ${paymentRow(p)}
            </tbody>
          </table>
          <p><a href="/console/sessions/${encodeURIComponent(p.sessionId)}">Session ${p.sessionId}</a></p>
          <h2 id="refund-heading">Refund</h2>
          <form
            method="get"
            action="/console/payments/${encodeURIComponent(reference)}/refund"
            class="filters"
            aria-labelledby="refund-heading"
          >
            <label for="amount"
              >Amount (${p.currency})<input
                id="amount"
                name="amount"
                inputmode="decimal"
                required
                placeholder="25.00"
            /></label>
            <label for="reason">Reason (optional)<input id="reason" name="reason" maxlength="200" /></label>
            <button type="submit">Refund…</button>
          </form>
          <h2 id="timeline-heading">Timeline</h2>
          ${timelineTable(p.sessionId, d.timeline, 'timeline-heading')}`,
      };
    }),
  );

  // Step 2: the confirmation, which names what will happen and carries the refund id and the CSRF token.
  router.get(
    '/console/payments/:reference/refund',
    pageHandler('payments', async (req, res) => {
      const reference = String(req.params['reference']);
      const amount = parseAmount(formText(req.query, 'amount'));
      const reason = formText(req.query, 'reason') ?? '';
      if (reason.length > 200) throw new QueryError('reason must be at most 200 characters');
      const d = await payments.show(reference);
      if (!d) return notFound('payments', `No payment ${reference}.`);
      const refundId = `console-${randomBytes(8).toString('hex')}`;
      return {
        title: 'Confirm refund',
        nav: 'payments',
        body: html`<p class="notice" role="alert">
            Refund <strong>${money(amount, d.payment.currency)}</strong> of payment
            <code>${reference}</code> (lane ${d.payment.laneId}, captured
            ${money(d.payment.captured, d.payment.currency)})${reason ? html`, reason “${reason}”` : ''}?
            Money goes back to the customer.
          </p>
          <form method="post" action="/console/payments/${encodeURIComponent(reference)}/refund">
            ${csrfField(consoleSession(res).csrf)}
            <input type="hidden" name="amount" value="${amount}" /><input
              type="hidden"
              name="reason"
              value="${reason}"
            />
            <input type="hidden" name="refundId" value="${refundId}" />
            <button type="submit" class="danger">Yes, refund ${money(amount, d.payment.currency)}</button>
            <a href="/console/payments/${encodeURIComponent(reference)}">Cancel</a>
          </form>`,
      };
    }),
  );

  router.post(
    '/console/payments/:reference/refund',
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }),
    requireCsrf,
    async (req, res) => {
      const reference = String(req.params['reference']);
      const body = req.body as Record<string, unknown>;
      const operator = consoleSession(res).operator;
      const amount = Number(body['amount']);
      const refundId = typeof body['refundId'] === 'string' ? body['refundId'] : '';
      const reason =
        typeof body['reason'] === 'string' && body['reason'] !== '' ? body['reason'].slice(0, 200) : null;
      if (!Number.isSafeInteger(amount) || amount <= 0 || !REFUND_ID_PATTERN.test(refundId)) {
        await ctx.services.audit({
          operator,
          action: 'payment.refund',
          target: reference,
          outcome: 'invalid',
          detail: { via: 'console' },
        });
        return send(res, {
          title: 'Refund refused',
          nav: 'payments',
          status: 422,
          body: html`<p class="notice bad" role="alert">
            The refund form was incomplete; start again from the payment.
          </p>`,
        });
      }
      const r = await payments.refund(reference, { refundId, amount, reason }, `operator:${operator}`);
      await ctx.services.audit({
        operator,
        action: 'payment.refund',
        target: reference,
        outcome: r.kind,
        detail: { refundId, amount, via: 'console' },
      });
      const o = refundOutcome(r);
      send(res, {
        title: o.ok ? 'Refund requested' : 'Refund refused',
        nav: 'payments',
        status: o.ok ? 200 : r.kind === 'not-found' ? 404 : 409,
        body: html`<p class="notice${o.ok ? '' : ' bad'}" role="status">${o.text}</p>
          <p>
            <a href="${link(`/console/payments/${encodeURIComponent(reference)}`, {})}"
              >Back to the payment</a
            >
          </p>`,
      });
    },
  );
  return router;
}
