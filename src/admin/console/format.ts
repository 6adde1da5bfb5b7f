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

/** A DOM id for a row: the prefix plus the id with anything outside [A-Za-z0-9_-] replaced. */
export function rowId(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
