// One lane: its live summary, its recent sessions (newest first, older pages by cursor) and the timelines of
// the latest few, so "what happened at machine X" is one page.
import { Router } from 'express';
import type { LaneSummary } from '../../types';
import { notFound, pageHandler, type ConsoleContext } from '../context';
import { ageText, badge, link, money, rowId, when } from '../format';
import { html, type SafeHtml } from '../html';
import { formText } from '../params';
import { SESSION_HEADINGS, rowsOr, sessionRow, timelineTable } from '../rows';

/** Timelines shown on the lane page (each is a few small reads). */
const TIMELINES = 5;

/** The lane's facts as a definition list; each value has an id the live feed updates. */
export function laneFacts(l: LaneSummary): SafeHtml {
  const cur = l.currentSession;
  const c = l.channel;
  return html`<dl class="facts" id="${rowId('lanefacts', l.id)}">
    <dt>Description</dt>
    <dd>${l.description}</dd>
    <dt>Kind</dt>
    <dd>${l.kind}</dd>
    <dt>State</dt>
    <dd>${badge(l.state)}</dd>
    <dt>Current session</dt>
    <dd>
      ${cur ? html`<a href="/console/sessions/${encodeURIComponent(cur.id)}"><code>${cur.id}</code></a> ${badge(cur.state)} for ${ageText(cur.ageS)}` : '—'}
    </dd>
    <dt>Last outcome</dt>
    <dd>
      ${l.lastOutcome ? html`${badge(l.lastOutcome.state, l.lastOutcome.reason ? `${l.lastOutcome.state}: ${l.lastOutcome.reason}` : l.lastOutcome.state)} ${when(l.lastOutcome.at)}` : 'none yet'}
    </dd>
    <dt>Today (UTC)</dt>
    <dd>${l.today.count} completed, ${money(l.today.amount, l.today.currency)}</dd>
    <dt>Controller channel</dt>
    <dd>
      ${c.type}: ${c.backlog}
      waiting${c.oldestUndeliveredAgeS !== null ? `, oldest ${ageText(c.oldestUndeliveredAgeS)}` : ''},
      ${c.failed} failed, last delivered ${c.lastDeliveredAt ? when(c.lastDeliveredAt) : 'never'}
    </dd>
  </dl>`;
}

export function lanePage(ctx: ConsoleContext): Router {
  const router = Router();
  router.get(
    '/console/lanes/:id',
    pageHandler('fleet', async (req) => {
      const id = String(req.params['id']);
      const cursor = formText(req.query, 'cursor');
      const lane = await ctx.services.lane(id);
      if (!lane) return notFound('fleet', `The lanes file has no lane ${id}.`);
      const sessions = cursor
        ? await ctx.services.sessions({ laneId: id, cursor, limit: 20 })
        : { items: lane.recentSessions, nextCursor: null as string | null };
      const more = cursor
        ? sessions.nextCursor
        : lane.recentSessions.length >= 20
          ? (await ctx.services.sessions({ laneId: id, limit: 20 })).nextCursor
          : null;
      const details = await Promise.all(
        sessions.items.slice(0, cursor ? 0 : TIMELINES).map((s) => ctx.services.session(s.id)),
      );
      return {
        title: `Lane ${id}`,
        nav: 'fleet',
        live: link('', { view: 'lane', lane: id }).slice(1),
        body: html`<p><a href="/console">← Fleet</a></p>
          ${laneFacts(lane)}
          <h2 id="sessions-heading">Sessions${cursor ? ' (older)' : ''}</h2>
          <table aria-labelledby="sessions-heading">
            <thead>
              ${SESSION_HEADINGS}
            </thead>
            <tbody id="${rowId('lanesessions', id)}">
              ${rowsOr(sessions.items, sessionRow, 6, 'No sessions yet.')}
            </tbody>
          </table>
          ${more ? html`<p><a href="${link(`/console/lanes/${encodeURIComponent(id)}`, { cursor: more })}">Older sessions →</a></p>` : ''}
          ${details.length > 0 ? html`<h2>Latest timelines</h2>` : ''}
          ${details.map((d) =>
            d
              ? html`<details${d === details[0] ? html` open` : ''}><summary>${d.session.id} · ${badge(d.session.state)} · ${when(d.session.createdAt)}</summary>
${timelineTable(d.session.id, d.timeline)}</details>`
              : '',
          )}`,
      };
    }),
  );
  return router;
}
