// One session: what it is (state, amounts, reason, its payment) and its whole timeline: the steps of the lane
// machine, every ePayment call and the lane messages sent. The customer token is never read for this page.
import { Router } from 'express';
import type { SessionDetail } from '../../types';
import { notFound, pageHandler, type ConsoleContext } from '../context';
import { ageText, badge, link, money, rowId, when } from '../format';
import { html, type SafeHtml } from '../html';
import { timelineTable } from '../rows';

export function sessionFacts(d: SessionDetail): SafeHtml {
  const s = d.session;
  const p = d.payment;
  return html`<dl class="facts" id="${rowId('sessionfacts', s.id)}">
    <dt>Lane</dt>
    <dd><a href="/console/lanes/${encodeURIComponent(s.laneId)}">${s.laneId}</a> (${s.kind})</dd>
    <dt>State</dt>
    <dd>${badge(s.state)}${s.reason ? html` reason: ${s.reason}` : ''}</dd>
    <dt>Checked in</dt>
    <dd>${when(s.createdAt)} (${ageText(s.ageS)} ago)</dd>
    <dt>Reference</dt>
    <dd><code>${s.reference}</code></dd>
    <dt>Amount</dt>
    <dd>
      ${money(s.amount, s.currency)} asked, ${money(s.authorizedValue, s.currency)} authorized,
      ${money(s.captured, s.currency)} captured, ${money(s.cancelledValue, s.currency)}
      cancelled${s.dispensedValue !== null ? `, ${money(s.dispensedValue, s.currency)} dispensed` : ''}
    </dd>
    <dt>Payment</dt>
    <dd>
      ${p ? html`<a href="${link('/console/payments', { reference: p.reference })}">${badge(p.status)}</a>${p.owed ? ` owes ${p.owed} of ${money(p.owedAmount, p.currency)}` : ''}` : 'none (yet)'}
    </dd>
  </dl>`;
}

export function sessionPage(ctx: ConsoleContext): Router {
  const router = Router();
  router.get(
    '/console/sessions/:id',
    pageHandler('fleet', async (req) => {
      const id = String(req.params['id']);
      const d = await ctx.services.session(id);
      if (!d) return notFound('fleet', `No session ${id}.`);
      return {
        title: `Session ${id}`,
        nav: 'fleet',
        live: link('', { view: 'session', session: id }).slice(1),
        body: html`<p>
            <a href="/console/lanes/${encodeURIComponent(d.session.laneId)}">← Lane ${d.session.laneId}</a>
          </p>
          ${sessionFacts(d)}
          <h2 id="timeline-heading">Timeline</h2>
          ${timelineTable(id, d.timeline, 'timeline-heading')}`,
      };
    }),
  );
  return router;
}
