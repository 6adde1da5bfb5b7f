// The fleet: every lane as a table row, filtered by state, searched by id or description, paginated on the
// server (5,000 lanes are 100 pages of 50; only the page's lanes are read from the store).
import { Router } from 'express';
import { formCount, formOneOf, formText } from '../params';
import type { LaneState } from '../../types';
import { pageHandler, type ConsoleContext } from '../context';
import { link, pager } from '../format';
import { html } from '../html';
import { LANE_HEADINGS, laneRow, rowsOr } from '../rows';

const STATES: readonly LaneState[] = ['idle', 'busy', 'disabled'];
const PAGE_SIZES = [25, 50, 100, 250, 500];

export function fleetPage(ctx: ConsoleContext): Router {
  const router = Router();
  router.get(
    '/console',
    pageHandler('fleet', async (req) => {
      const q = formText(req.query, 'q');
      const state = formOneOf(req.query, 'state', STATES);
      const pageNo = formCount(req.query, 'page', 1_000_000, 1) ?? 1;
      const pageSize = formCount(req.query, 'pageSize', 500, 1) ?? 50;
      const result = await ctx.services.lanes({
        ...(q ? { q } : {}),
        ...(state ? { state } : {}),
        page: pageNo,
        pageSize,
      });
      const params = { q, state, pageSize: pageSize === 50 ? undefined : pageSize };
      const pages = pager('/console', params, result, 'Lanes');
      return {
        title: 'Fleet',
        nav: 'fleet',
        live: link('', { view: 'fleet', q, state, page: result.page, pageSize }).slice(1),
        body: html`<form method="get" action="/console" class="filters" role="search">
            <label for="q"
              >Search id or description<input id="q" name="q" type="search" value="${q ?? ''}"
            /></label>
            <label for="state"
              >State<select id="state" name="state">
                <option value="">any</option>
                ${STATES.map((s) => html`<option value="${s}" ${s === state ? html` selected` : ''}>${s}</option>`)}
              </select></label
            >
            <label for="pageSize"
              >Per page<select id="pageSize" name="pageSize">
                ${PAGE_SIZES.map((n) => html`<option value="${n}" ${n === pageSize ? html` selected` : ''}>${n}</option>`)}
              </select></label
            >
            <button type="submit">Filter</button>
            ${q || state ? html`<a href="/console">Clear</a>` : ''}
          </form>
          ${pages}
          <table>
            <caption>
              Lanes, sorted by id. States: idle (ready), busy (a session is running), disabled (in the lanes
              file).
            </caption>
            <thead>
              ${LANE_HEADINGS}
            </thead>
            <tbody id="lanes">
              ${rowsOr(result.items, laneRow, 7, 'No lane matches.')}
            </tbody>
          </table>
          ${pages}`,
      };
    }),
  );
  return router;
}
