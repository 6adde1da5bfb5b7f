// Where redirect flows send the customer (the `redirectUrl` of a WEB_REDIRECT / NATIVE_REDIRECT / QR payment):
// `GET /emulator/v1/landing/{msn}/{reference}`. A browser (Accept: text/html) gets a page with the amount, the
// merchant and Approve / Reject buttons; approving authorizes the payment, rejecting aborts it, as the app would,
// and both send the browser on to the payment's `returnUrl` (303). API clients (Accept */* or text/plain) keep
// the one-line text of the payment's state. The emulator has no app, so this page stands in for it.
import express, { type Response, type Router } from 'express';
import { html, type SafeHtml, standalonePage } from '../admin/console/html';
import { sendProblem } from '../http/problem';
import { moneyText } from '../money-text';
import type { EmulatorContext } from './context';
import { customerReject, forceApprove, openPayment, settle } from './payments';
import { paymentKey, type Payment } from './state';

const BASE = '/emulator/v1/landing/:msn/:reference';

// Inline styles only, nothing from elsewhere; the forms post back here (then redirect to the merchant).
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";
const STYLE = `body{font-family:system-ui,sans-serif;margin:0;padding:0 .75rem;background:#ff5b24;color:#1a1a1a}
main{max-width:26rem;margin:2rem auto;background:#fff;border-radius:1rem;padding:1.5rem}
h1{font-size:1.25rem;margin:0 0 1rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}
dt{color:#555}dd{margin:0;font-weight:600;overflow-wrap:anywhere}.amount{font-size:2rem;font-weight:700;margin:1rem 0}
form{display:inline}button{font-size:1.1rem;padding:.8rem 1.4rem;border-radius:.6rem;border:0;margin:.5rem .5rem 0 0}
.approve{background:#2a7d2e;color:#fff}.reject{background:#eee;color:#1a1a1a}`;

function page(res: Response, status: number, title: string, body: SafeHtml): void {
  res
    .status(status)
    .set('Content-Security-Policy', CSP)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(
      standalonePage(
        title,
        html`<style>
          ${STYLE}
        </style>`,
        body,
      ).text,
    );
}

function details(p: Payment): SafeHtml {
  return html`<p class="amount">${moneyText(p.amount.value, p.amount.currency)}</p>
    <dl>
      <dt>Merchant</dt>
      <dd>Sales unit ${p.msn}</dd>
      <dt>Reference</dt>
      <dd>${p.reference}</dd>
      <dt>State</dt>
      <dd id="state">${p.state}</dd>
    </dl>`;
}

function landing(res: Response, p: Payment): void {
  const here = `/emulator/v1/landing/${encodeURIComponent(p.msn)}/${encodeURIComponent(p.reference)}`;
  const actions =
    p.state === 'CREATED'
      ? html`<form method="post" action="${here}/approve">
            <button class="approve" type="submit">Approve</button>
          </form>
          <form method="post" action="${here}/reject">
            <button class="reject" type="submit">Reject</button>
          </form>`
      : p.returnUrl
        ? html`<p><a href="${p.returnUrl}">Back to the merchant</a></p>`
        : html``;
  page(
    res,
    200,
    'Vipps MobilePay (emulated): approve payment',
    html`<h1>Vipps MobilePay (emulated)</h1>
      ${details(p)}${actions}`,
  );
}

export function landingRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  const lookup = (msn: string, reference: string): Payment | undefined => {
    const p = ctx.state.payments.get(paymentKey(msn, reference));
    if (p) settle(ctx, p);
    return p;
  };
  const missing = (res: Response): void =>
    sendProblem(res, { status: 404, code: 'emulator.payment-not-found', title: 'No such payment' });

  router.get(BASE, (req, res) => {
    const p = lookup(req.params.msn, req.params.reference);
    if (!p) return missing(res);
    // text/plain first: a client that accepts anything (*/*) gets the text it always got; a browser asks for HTML.
    if (req.accepts(['text/plain', 'text/html']) === 'text/html') {
      // A browser showing the page is the customer opening the payment: the approve window starts (§6.2).
      openPayment(ctx, p);
      return landing(res, p);
    }
    res.type('text/plain').send(`Emulated Vipps MobilePay: payment ${p.reference} is ${p.state}.\n`);
  });

  // The customer's answer. Pressing the same button again (a reload) goes on to the merchant once more; any
  // other answer to a payment that is no longer CREATED shows its state with 409.
  for (const action of ['approve', 'reject'] as const) {
    router.post(`${BASE}/${action}`, (req, res) => {
      const p = lookup(req.params.msn, req.params.reference);
      if (!p) return missing(res);
      const done = action === 'approve' ? 'AUTHORIZED' : 'ABORTED';
      if (p.state === 'CREATED') {
        if (action === 'approve') forceApprove(ctx, p);
        else customerReject(ctx, p);
      } else if (p.state !== done) {
        return page(
          res,
          409,
          'Vipps MobilePay (emulated): payment closed',
          html`<h1>This payment can no longer be ${action === 'approve' ? 'approved' : 'rejected'}</h1>
            ${details(p)}`,
        );
      }
      const back = `/emulator/v1/landing/${encodeURIComponent(p.msn)}/${encodeURIComponent(p.reference)}`;
      res.redirect(303, p.returnUrl ?? back);
    });
  }
  return router;
}
