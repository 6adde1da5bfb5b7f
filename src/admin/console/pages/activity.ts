// Pictures where looking beats reading (issue 14): check-ins per minute and scan → push latency over the last
// hour, and how sessions ended over the last hour and day. Each chart has its numbers in a table as well.
import { Router } from 'express';
import { pageHandler, type ConsoleContext } from '../context';
import { html } from '../html';
import { barChart, horizontalBars, lineChart } from '../svg-charts';
import {
  checkinsPerMinute,
  outcomesByReason,
  scanToPushLatency,
  scanToPushOverall,
  type OutcomeCount,
} from '../stats';

const HOUR = 3600_000;

function hhmm(d: Date): string {
  return d.toISOString().slice(11, 16);
}

function ms(v: number | null): string {
  return v === null ? '—' : `${Math.round(v)} ms`;
}

function outcomeTable(caption: string, rows: readonly OutcomeCount[]) {
  return html`<details>
    <summary>${caption} as a table</summary>
    <table>
      <caption>
        ${caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Outcome</th>
          <th scope="col" class="num">Sessions</th>
        </tr>
      </thead>
      <tbody>
        ${
          rows.length === 0
            ? html`<tr>
                <td colspan="2">none</td>
              </tr>`
            : rows.map(
                (r) =>
                  html`<tr>
                    <td>${r.outcome}</td>
                    <td class="num">${r.count}</td>
                  </tr>`,
              )
        }
      </tbody>
    </table>
  </details>`;
}

export function activityPage(ctx: ConsoleContext): Router {
  const router = Router();
  router.get(
    '/console/activity',
    pageHandler('activity', async () => {
      const { db, clock } = ctx.services.deps;
      const now = clock.now();
      const [perMinute, latency, overall, lastHour, lastDay] = await Promise.all([
        checkinsPerMinute(db, now),
        scanToPushLatency(db, now),
        scanToPushOverall(db, now),
        outcomesByReason(db, now, HOUR),
        outcomesByReason(db, now, 24 * HOUR),
      ]);
      const span: [string, string] = [`${hhmm(perMinute[0]!.at)} UTC`, `${hhmm(now)} UTC`];
      const total = perMinute.reduce((a, m) => a + m.count, 0);
      return {
        title: 'Activity',
        nav: 'activity',
        body: html`<p>
            The last hour up to ${now.toISOString().slice(0, 19).replace('T', ' ')} UTC. Reload for newer
            figures.
          </p>
          <div class="charts">
            <figure>
              <figcaption>Check-ins per minute (${total} in the hour)</figcaption>
              ${barChart({ title: `Check-ins per minute over the last hour: ${total} in all`, values: perMinute.map((m) => m.count), xLabels: span })}
              <details>
                <summary>Check-ins per minute as a table</summary>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Minute (UTC)</th>
                      <th scope="col" class="num">Check-ins</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${perMinute
                      .filter((m) => m.count > 0)
                      .map(
                        (m) =>
                          html`<tr>
                            <td>${hhmm(m.at)}</td>
                            <td class="num">${m.count}</td>
                          </tr>`,
                      )}
                  </tbody>
                </table>
              </details>
            </figure>
            <figure>
              <figcaption>
                Scan → push latency: p50 ${ms(overall.p50)}, p99 ${ms(overall.p99)} (${overall.count}
                payments)
              </figcaption>
              ${lineChart({
                title: `Scan to push latency per minute, p50 and p99, milliseconds; over the hour p50 ${ms(overall.p50)} and p99 ${ms(overall.p99)}`,
                series: [
                  { name: 'p50', colour: '#1a4fd6', values: latency.map((p) => p.p50) },
                  { name: 'p99', colour: '#b3261e', values: latency.map((p) => p.p99) },
                ],
                xLabels: span,
                yUnit: 'ms',
              })}
              <p class="muted">
                From the check-in reaching the gateway to Vipps confirming the payment was created (the push
                to the phone); vending lanes.
              </p>
            </figure>
            <figure>
              <figcaption>Outcomes, last hour</figcaption>
              ${horizontalBars({ title: 'How sessions ended in the last hour', rows: lastHour.map((r) => ({ label: r.outcome, value: r.count })) })}
              ${outcomeTable('Outcomes, last hour', lastHour)}
            </figure>
            <figure>
              <figcaption>Outcomes, last 24 hours</figcaption>
              ${horizontalBars({ title: 'How sessions ended in the last 24 hours', rows: lastDay.map((r) => ({ label: r.outcome, value: r.count })) })}
              ${outcomeTable('Outcomes, last 24 hours', lastDay)}
            </figure>
          </div>`,
      };
    }),
  );
  return router;
}
