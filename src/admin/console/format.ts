// How the console writes values: ages, instants, money and states as badges. Everything goes through `html`,
// so whatever a value holds is escaped.
import { moneyText } from '../../money-text';
import { html, type SafeHtml } from './html';

/** 75 → "1 min 15 s"; ages on the pages are short, so minutes and hours are enough. */
export function ageText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** An instant as UTC text, in a <time> element with its machine-readable value. */
export function when(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const text = iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
    .replace(/Z$/, ' UTC');
  return html`<time datetime="${iso}">${text}</time>`;
}

export function money(value: number | null | undefined, currency: string | null | undefined): string {
  return value === null || value === undefined ? '—' : moneyText(value, currency ?? 'NOK');
}

/** A state as a coloured badge; the class only takes [a-z-] so a strange state cannot break the markup. */
export function badge(state: string, text: string = state): SafeHtml {
  const cls = state.toLowerCase().replace(/[^a-z-]/g, '');
  return html`<span class="state state-${cls}">${text}</span>`;
}

/** Query-string building for links (pagination, filters): values are URL-encoded, then HTML-escaped. */
export function link(path: string, params: Record<string, string | number | undefined>): string {
  const qs = Object.entries(params)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return qs ? `${path}?${qs}` : path;
}

/** Where a listing is: its page of `pages`, holding items `first`–`last` of `total`. */
export interface PageSpan {
  readonly page: number;
  readonly pages: number;
  readonly pageSize: number;
  readonly total: number;
}

/** Previous/next links and "Lanes 51–100 of 5000 · page 2 of 100" for a server-paged listing. */
export function pager(
  path: string,
  params: Record<string, string | number | undefined>,
  span: PageSpan,
  noun: string,
): SafeHtml {
  const first = span.total === 0 ? 0 : (span.page - 1) * span.pageSize + 1;
  const last = Math.min(span.total, span.page * span.pageSize);
  return html`<nav class="pager" aria-label="Pages">
    ${span.page > 1 ? html`<a href="${link(path, { ...params, page: span.page - 1 })}" rel="prev">← Previous</a>` : ''}
    <span>${noun} ${first}–${last} of ${span.total} · page ${span.page} of ${span.pages}</span>
    ${span.page < span.pages ? html`<a href="${link(path, { ...params, page: span.page + 1 })}" rel="next">Next →</a>` : ''}
  </nav>`;
}

/** A DOM id for a row: the prefix plus the id with anything outside [A-Za-z0-9_-] replaced. */
export function rowId(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
