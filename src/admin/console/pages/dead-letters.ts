// Dead letters of every kind (intake drops, dead jobs, lane messages given up on): a filtered list with
// checkboxes, then a confirmation page naming what will be replayed or discarded, then the POST (with the
// CSRF token) that does it through the dead-letter service, which audits each one. Replay is safe to repeat:
// the service answers `already_replayed` and queues nothing twice.
import express, { Router, type Request } from 'express';
import { DeadLetterQueryError } from '../../dead-letters';
import {
  DEAD_LETTER_KINDS,
  DEAD_LETTER_STATES,
  type DeadLetter,
  type DeadLetterKind,
  type DeadLetterState,
  type DiscardResult,
  type ReplayResult,
} from '../../dead-letters-types';
import { QueryError } from '../../query-params';
import { pageHandler, type ConsoleContext, type ConsoleDeadLetters, type Rendered } from '../context';
import { badge, link, when } from '../format';
import { consoleSession, requireCsrf } from '../guard';
import { html } from '../html';
import { rowsOr } from '../rows';
import { csrfField } from '../layout';
import { formOneOf, formText } from '../params';

const ACTIONS = ['replay', 'discard'] as const;
type Action = (typeof ACTIONS)[number];
const MAX_SELECTED = 100;

function idsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const ids = list.filter((v): v is string => typeof v === 'string' && v !== '');
  if (ids.length === 0) throw new QueryError('select at least one dead letter');
  if (ids.length > MAX_SELECTED)
    throw new QueryError(`select at most ${MAX_SELECTED} dead letters at a time`);
  return ids;
}

function letterRow(d: DeadLetter, selectable: boolean) {
  const label = `select ${d.id}`;
  return html`<tr>
    <td>
      ${selectable && d.state === 'open' ? html`<input type="checkbox" name="ids" value="${d.id}" aria-label="${label}" />` : ''}
    </td>
    <th scope="row"><code>${d.id}</code></th>
    <td>${d.kind}</td>
    <td>${when(d.at)}</td>
    <td>${d.reason}${d.detail ? html`<br /><span class="muted">${d.detail}</span>` : ''}</td>
    <td>
      ${d.laneId ? html`<a href="/console/lanes/${encodeURIComponent(d.laneId)}">${d.laneId}</a>` : d.qr ? html`QR ${d.qr.msn}/${d.qr.merchantQrId}` : '—'}
    </td>
    <td>${d.eventType ?? '—'}</td>
    <td>
      ${badge(d.state === 'open' ? 'open' : d.state === 'replayed' ? 'completed' : 'cancelled', d.state)}${d.resolvedBy ? html`<br /><span class="muted">by ${d.resolvedBy} ${when(d.resolvedAt)}</span>` : ''}
      ${d.replayableUntil && d.state === 'open' ? html`<br /><span class="muted">pays if replayed before ${when(d.replayableUntil)}</span>` : ''}
    </td>
  </tr>`;
}

const HEADINGS = html`<tr>
  <th scope="col"><span class="muted">Select</span></th>
  <th scope="col">Id</th>
  <th scope="col">Kind</th>
  <th scope="col">At</th>
  <th scope="col">Reason</th>
  <th scope="col">Lane / QR</th>
  <th scope="col">Event</th>
  <th scope="col">State</th>
</tr>`;

function unavailable(): Rendered {
  return {
    title: 'Dead letters',
    nav: 'dead-letters',
    body: html`<p class="notice">This process has no dead-letter service.</p>`,
  };
}

async function rethrowQuery<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DeadLetterQueryError) throw new QueryError(err.message);
    throw err;
  }
}

function listPage(dl: ConsoleDeadLetters) {
  return async (req: Request): Promise<Rendered> => {
    const kind = formOneOf<DeadLetterKind>(req.query, 'kind', DEAD_LETTER_KINDS);
    const state =
      formOneOf<DeadLetterState | 'all'>(req.query, 'state', [...DEAD_LETTER_STATES, 'all']) ?? 'open';
    const lane = formText(req.query, 'lane');
    const cursor = formText(req.query, 'cursor');
    const result = await rethrowQuery(() =>
      dl.list({ kind, state, laneId: lane, limit: 50, ...(cursor ? { cursor } : {}) }),
    );
    const rows = result.deadLetters;
    return {
      title: 'Dead letters',
      nav: 'dead-letters',
      body: html`<form method="get" action="/console/dead-letters" class="filters">
          <label for="kind"
            >Kind<select id="kind" name="kind">
              <option value="">any</option>
              ${DEAD_LETTER_KINDS.map((k) => html`<option value="${k}" ${k === kind ? html` selected` : ''}>${k}</option>`)}
            </select></label
          >
          <label for="state"
            >State<select id="state" name="state">
              ${[...DEAD_LETTER_STATES, 'all'].map((s) => html`<option value="${s}" ${s === state ? html` selected` : ''}>${s}</option>`)}
            </select></label
          >
          <label for="lane">Lane<input id="lane" name="lane" value="${lane ?? ''}" /></label>
          <button type="submit">Filter</button>
        </form>
        <form method="get" action="/console/dead-letters/confirm">
          <table>
            <caption>
              Newest first. Replay sends a letter through the same checks as a live delivery; discard keeps it
              for the record.
            </caption>
            <thead>
              ${HEADINGS}
            </thead>
            <tbody>
              ${rowsOr(rows, (d) => letterRow(d, true), 8, 'No dead letters.')}
            </tbody>
          </table>
          ${
            rows.some((d) => d.state === 'open')
              ? html`<p>
                  <button type="submit" name="action" value="replay">Replay selected…</button>
                  <button type="submit" name="action" value="discard" class="plain">Discard selected…</button>
                </p>`
              : ''
          }
        </form>
        ${result.nextCursor ? html`<p><a href="${link('/console/dead-letters', { kind, state, lane, cursor: result.nextCursor })}">Older →</a></p>` : ''}
        ${result.partial ? html`<p role="status">Partial: the SQS dead-letter queue shows each lane's oldest dead jobs first; replay or discard them to see the rest.</p>` : ''}`,
    };
  };
}

export function deadLetterPages(ctx: ConsoleContext): Router {
  const router = Router();
  const dl = ctx.deadLetters;
  router.get(
    '/console/dead-letters',
    pageHandler('dead-letters', (req) => (dl ? listPage(dl)(req) : Promise.resolve(unavailable()))),
  );

  router.get(
    '/console/dead-letters/confirm',
    pageHandler('dead-letters', async (req, res) => {
      if (!dl) return unavailable();
      const action = formOneOf<Action>(req.query, 'action', ACTIONS);
      if (!action) throw new QueryError('action must be replay or discard');
      const ids = idsOf(req.query['ids']);
      const verb = action === 'replay' ? 'Replay' : 'Discard';
      return {
        title: `Confirm: ${verb.toLowerCase()} ${ids.length} dead letter${ids.length === 1 ? '' : 's'}`,
        nav: 'dead-letters',
        body: html`<p class="notice" role="alert">
            ${
              action === 'replay'
                ? 'Replaying sends each letter through the same dedup and staleness checks as a live delivery: a check-in whose token expired is recorded as stale, never paid.'
                : 'Discarding hides each letter from the open list; it is kept for the record.'
            }
          </p>
          <ul>
            ${ids.map((id) => html`<li><code>${id}</code></li>`)}
          </ul>
          <form method="post" action="/console/dead-letters/${action}">
            ${csrfField(consoleSession(res).csrf)}
            ${ids.map((id) => html`<input type="hidden" name="ids" value="${id}" />`)}
            <button type="submit" ${action === 'discard' ? html` class="danger"` : ''}>
              Yes, ${verb.toLowerCase()} ${ids.length}
            </button>
            <a href="/console/dead-letters">Cancel</a>
          </form>`,
      };
    }),
  );

  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: MAX_SELECTED + 5 });
  for (const action of ACTIONS) {
    router.post(
      `/console/dead-letters/${action}`,
      form,
      requireCsrf,
      pageHandler('dead-letters', async (req, res) => {
        if (!dl) return unavailable();
        const ids = idsOf((req.body as Record<string, unknown>)['ids']);
        const operator = consoleSession(res).operator;
        const results: readonly (ReplayResult | DiscardResult)[] = await rethrowQuery<
          readonly (ReplayResult | DiscardResult)[]
        >(() => (action === 'replay' ? dl.replay(ids, operator) : dl.discard(ids, operator)));
        return {
          title: action === 'replay' ? 'Replayed' : 'Discarded',
          nav: 'dead-letters',
          body: html`<table>
              <caption>
                What happened to each (recorded in the audit log)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                ${results.map(
                  (r) =>
                    html`<tr>
                      <th scope="row"><code>${r.id}</code></th>
                      <td>${r.outcome}</td>
                      <td>
                        ${r.reason ?? (r.resolvedBy ? `by ${r.resolvedBy} at ${r.resolvedAt ?? ''}` : '')}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
            <p><a href="/console/dead-letters">Back to dead letters</a></p>`,
        };
      }),
    );
  }
  return router;
}
