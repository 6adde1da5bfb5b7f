// Webhooks & Vipps health: are the registrations at Vipps there with this gateway's URL and every event it
// needs, when did a delivery last arrive, which verifications failed; and the configuration with every
// secret masked (the summary never holds a secret's value).
import { Router } from 'express';
import { pageHandler, type ConsoleContext } from '../context';
import { badge, pager, when } from '../format';
import { formCount } from '../params';
import { html } from '../html';
import { rowsOr } from '../rows';

export function webhooksPage(ctx: ConsoleContext): Router {
  const router = Router();
  router.get(
    '/console/webhooks',
    pageHandler('webhooks', async (req) => {
      const h = await ctx.services.webhookHealth(formCount(req.query, 'page', 1_000_000, 1));
      const failures = Object.entries(h.verificationFailures);
      const config = ctx.services.configSummary();
      return {
        title: 'Webhooks & Vipps',
        nav: 'webhooks',
        body: html`<dl class="facts">
            <dt>Health${h.pages > 1 ? ' (this page of sales units)' : ''}</dt>
            <dd>${h.ok ? badge('ok', 'registered as expected') : badge('bad', 'needs attention')}</dd>
            <dt>Expected URL</dt>
            <dd><code>${h.expectedUrl}</code></dd>
            <dt>Expected events</dt>
            <dd>${h.expectedEvents.join(', ')}</dd>
            <dt>Last delivery received</dt>
            <dd>${h.lastDeliveryAt ? when(h.lastDeliveryAt) : 'none since start'}</dd>
          </dl>
          ${h.error ? html`<p class="notice bad" role="alert">Could not list the registrations at Vipps: ${h.error}</p>` : ''}
          <h2 id="reg-heading">Registrations at Vipps</h2>
          ${h.pages > 1 ? pager('/console/webhooks', {}, h, 'Sales units') : ''}
          <table aria-labelledby="reg-heading">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Check</th>
              </tr>
            </thead>
            <tbody>
              ${rowsOr(
                h.registrations ?? [],
                (r) =>
                  html`<tr>
                    <td><code>${r.id}</code></td>
                    <td><code>${r.url}</code></td>
                    <td>${r.events.join(', ')}</td>
                    <td>
                      ${r.urlMatches ? badge('ok', 'this gateway') : badge('degraded', 'other URL')}${r.missingEvents.length ? html` ${badge('bad', `missing ${r.missingEvents.join(', ')}`)}` : ''}
                    </td>
                  </tr>`,
                4,
                'None.',
              )}
            </tbody>
          </table>
          <h2 id="fail-heading">Verification failures since start</h2>
          <table aria-labelledby="fail-heading">
            <thead>
              <tr>
                <th scope="col">Problem code</th>
                <th scope="col" class="num">Count</th>
              </tr>
            </thead>
            <tbody>
              ${rowsOr(
                failures,
                ([code, n]) =>
                  html`<tr>
                    <td><code>${code}</code></td>
                    <td class="num">${n}</td>
                  </tr>`,
                2,
                'None.',
              )}
            </tbody>
          </table>
          <h2 id="config-heading">Configuration</h2>
          <table aria-labelledby="config-heading">
            <thead>
              <tr>
                <th scope="col">Setting</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              ${config.map(
                (c) =>
                  html`<tr>
                    <th scope="row"><code>${c.name}</code></th>
                    <td>
                      ${c.secret ? html`<span class="muted">${c.value === null ? 'not set' : '**** (secret, set)'}</span>` : (c.value ?? html`<span class="muted">not set</span>`)}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
      };
    }),
  );
  return router;
}
