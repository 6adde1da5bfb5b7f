// The pay page's HTML: one small, server-rendered, accessible shell (lang, viewport, one h1, a live region on the
// result page) around each page. Every value is escaped by `html`; the lane's description comes from the lanes
// file and is treated as hostile like everything else.
import type { Response } from 'express';
import { html, type SafeHtml, standalonePage } from '../admin/console/html';
import { PAY_ASSETS_VERSION } from './assets';
import type { PayStatus } from './status';

export interface Shown {
  readonly description: string;
  /** "25.00 NOK", or null when there is nothing to pay yet (a self-checkout without an open sale). */
  readonly amount: string | null;
}

export function sendPage(
  res: Response,
  status: number,
  title: string,
  body: SafeHtml,
  head?: SafeHtml,
): void {
  res
    .status(status)
    .type('html')
    .send(
      standalonePage(
        title,
        html`<meta name="referrer" content="no-referrer" />
          <link rel="stylesheet" href="/pay/assets/pay.css?v=${PAY_ASSETS_VERSION}" />
          ${head}`,
        body,
      ).text,
    );
}

function laneHeader(shown: Shown): SafeHtml {
  return html`<p class="lane">${shown.description}</p>`;
}

export function payForm(
  res: Response,
  laneId: string,
  kind: 'vending' | 'self-checkout',
  shown: Shown,
  token: string,
): void {
  const action = `/pay/${encodeURIComponent(laneId)}`;
  const body = shown.amount
    ? html`<div class="card">
        <h1>${shown.description}</h1>
        <p class="amount">
          <span class="note">${kind === 'vending' ? 'Up to' : 'Total'}</span> ${shown.amount}
        </p>
        <form method="post" action="${action}">
          <input type="hidden" name="token" value="${token}" />
          <button class="pay" type="submit">Pay with Vipps MobilePay</button>
        </form>
        <p class="note">
          ${kind === 'vending' ? 'The amount is reserved; you pay only for what the machine dispenses. ' : ''}You
          approve the payment in Vipps MobilePay and come back here to see how it went.
        </p>
      </div>`
    : html`<div class="card">
        ${laneHeader(shown)}
        <h1>No sale open</h1>
        <p>
          The checkout has not opened a sale yet. Scan your items first, then
          <a href="${action}">reload this page</a>.
        </p>
      </div>`;
  sendPage(res, 200, `Pay: ${shown.description}`, body);
}

/** A page that explains why nothing happened, with a way back where one makes sense. */
export function messagePage(
  res: Response,
  status: number,
  title: string,
  detail: string,
  back?: { readonly href: string; readonly label: string },
): void {
  sendPage(
    res,
    status,
    title,
    html`<div class="card">
      <h1>${title}</h1>
      <p>${detail}</p>
      ${back ? html`<p><a href="${back.href}">${back.label}</a></p>` : ''}
    </div>`,
  );
}

export function resultPage(res: Response, statusUrl: string, shown: Shown, status: PayStatus): void {
  // Without script the page reloads itself until the session ends.
  const head = status.final
    ? undefined
    : html`<noscript><meta http-equiv="refresh" content="3" /></noscript>`;
  const script = status.final
    ? ''
    : html`<script src="/pay/assets/result.js?v=${PAY_ASSETS_VERSION}" defer></script>`;
  sendPage(
    res,
    200,
    `${status.title}: ${shown.description}`,
    html`<div
        id="result"
        class="card outcome-${status.outcome}"
        data-state="${status.state}"
        data-final="${String(status.final)}"
        data-status-url="${statusUrl}"
      >
        ${laneHeader(shown)}
        <div role="status" aria-live="polite">
          <h1 id="result-title">${status.title}</h1>
          <p id="result-detail">${status.detail}</p>
        </div>
      </div>
      ${script}`,
    head,
  );
}
