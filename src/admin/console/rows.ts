// Table rows shared by the pages and the live feed (events.ts): the feed sends the very row a reload would
// show, so a live update and a reload never disagree.
import type { TimelineEntry } from '../../settlement/payments-view';
import type { LaneSummary, SessionSummary } from '../types';
import { ageText, badge, money, rowId, when } from './format';
import { html, type SafeHtml } from './html';

export function laneRowId(laneId: string): string {
  return rowId('lane', laneId);
}

export function sessionRowId(sessionId: string): string {
  return rowId('session', sessionId);
}

function channelCell(l: LaneSummary): SafeHtml {
  const c = l.channel;
  const health =
    c.failed > 0
      ? badge('bad', `${c.failed} failed`)
      : c.backlog > 0
        ? badge('degraded', `${c.backlog} waiting`)
        : badge('ok', 'ok');
  return html`${c.type} ${health}
    ${c.oldestUndeliveredAgeS !== null ? html`<br /><span class="muted">oldest ${ageText(c.oldestUndeliveredAgeS)}</span>` : ''}
    <br /><span class="muted">last delivered ${c.lastDeliveredAt ? when(c.lastDeliveredAt) : 'never'}</span>`;
}

/** A table body's rows, or one row saying there are none, spanning the table's `columns`. */
export function rowsOr<T>(
  items: readonly T[],
  row: (item: T) => SafeHtml,
  columns: number,
  none: string,
): SafeHtml | SafeHtml[] {
  return items.length === 0
    ? html`<tr class="empty">
        <td colspan="${columns}">${none}</td>
      </tr>`
    : items.map(row);
}

export function laneRow(l: LaneSummary): SafeHtml {
  const cur = l.currentSession;
  const last = l.lastOutcome;
  return html`<tr id="${laneRowId(l.id)}">
    <th scope="row">
      <a href="/console/lanes/${encodeURIComponent(l.id)}">${l.id}</a><br /><span class="muted"
        >${l.description}</span
      >
    </th>
    <td>${l.kind}</td>
    <td>${badge(l.state)}</td>
    <td>
      ${cur ? html`<a href="/console/sessions/${encodeURIComponent(cur.id)}">${badge(cur.state)}</a> ${ageText(cur.ageS)}` : html`<span class="muted">—</span>`}
    </td>
    <td>
      ${last ? html`${badge(last.state, last.reason ? `${last.state}: ${last.reason}` : last.state)}<br />${when(last.at)}` : html`<span class="muted">none yet</span>`}
    </td>
    <td class="num">
      ${l.today.count}<br /><span class="muted">${money(l.today.amount, l.today.currency)}</span>
    </td>
    <td>${channelCell(l)}</td>
  </tr>`;
}

export const LANE_HEADINGS = html`<tr>
  <th scope="col">Lane</th>
  <th scope="col">Kind</th>
  <th scope="col">State</th>
  <th scope="col">Current session (age)</th>
  <th scope="col">Last outcome</th>
  <th scope="col" class="num">Today</th>
  <th scope="col">Controller channel</th>
</tr>`;

export function sessionRow(s: SessionSummary): SafeHtml {
  return html`<tr id="${sessionRowId(s.id)}">
    <th scope="row">
      <a href="/console/sessions/${encodeURIComponent(s.id)}"><code>${s.id}</code></a>
    </th>
    <td>${badge(s.state)}${s.reason ? html` <span class="muted">${s.reason}</span>` : ''}</td>
    <td class="num">${money(s.amount, s.currency)}</td>
    <td class="num">${money(s.captured, s.currency)}</td>
    <td>${when(s.createdAt)}</td>
    <td>${s.final ? html`<span class="muted">ended</span>` : ageText(s.ageS)}</td>
  </tr>`;
}

export const SESSION_HEADINGS = html`<tr>
  <th scope="col">Session</th>
  <th scope="col">State</th>
  <th scope="col" class="num">Amount</th>
  <th scope="col" class="num">Captured</th>
  <th scope="col">Checked in</th>
  <th scope="col">Age</th>
</tr>`;

function detailText(detail: TimelineEntry['detail']): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}

/** A session's timeline as one tbody (the live feed replaces it whole). */
export function timelineBody(sessionId: string, entries: readonly TimelineEntry[]): SafeHtml {
  return html`<tbody id="${rowId('timeline', sessionId)}">
    ${rowsOr(
      entries,
      (e) =>
        html`<tr>
          <td>${when(e.at)}</td>
          <td>${e.source}</td>
          <td>${e.what}</td>
          <td>${detailText(e.detail)}</td>
        </tr>`,
      4,
      'No steps recorded.',
    )}
  </tbody>`;
}

/** A session's timeline as a table (its body is what the live feed replaces). */
export function timelineTable(
  sessionId: string,
  entries: readonly TimelineEntry[],
  labelledBy?: string,
): SafeHtml {
  return html`<table${labelledBy ? html` aria-labelledby="${labelledBy}"` : ''}><thead><tr><th scope="col">At</th><th scope="col">Source</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>${timelineBody(sessionId, entries)}</table>`;
}
