// Charts drawn on the server as inline SVG (issue 14 "Pictures"): no package, no script, no inline style
// (presentation attributes only, which the CSP allows). Every chart has a title for screen readers, and the
// pages put the same numbers in a table next to it.
import { escapeHtml, html, trusted, type SafeHtml } from './html';

const W = 560;
const H = 200;
const PAD = { left: 60, right: 12, top: 12, bottom: 26 };

export interface Series {
  readonly name: string;
  readonly colour: string;
  readonly values: readonly (number | null)[];
}

function n(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** A "nice" axis maximum: 1, 2 or 5 times a power of ten, at least the largest value. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function frame(title: string, yMax: number, yUnit: string, xLabels: readonly [string, string]): string {
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = H - PAD.bottom;
  const parts: string[] = [];
  for (const f of [0, 0.5, 1]) {
    const y = y0 - f * (y0 - PAD.top);
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${n(y)}" y2="${n(y)}" stroke="#d6d6de" stroke-width="1"/>`);
    const label = html`${n(f * yMax)}${f === 1 && yUnit ? ` ${yUnit}` : ''}`.text;
    parts.push(`<text x="${x0 - 4}" y="${n(y + 4)}" text-anchor="end">${label}</text>`);
  }
  parts.push(html`<text x="${x0}" y="${H - 6}">${xLabels[0]}</text>`.text);
  parts.push(html`<text x="${x1}" y="${H - 6}" text-anchor="end">${xLabels[1]}</text>`.text);
  return `<title>${html`${title}`.text}</title>${parts.join('')}`;
}

// A plain string, not an `html` template: the opening tag is closed by the caller, and the formatter would
// otherwise "complete" an unclosed tag inside a template.
function open(title: string, height = H): string {
  const label = escapeHtml(title);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="${label}">`;
}

/** Vertical bars, one per value (e.g. check-ins per minute). */
export function barChart(o: {
  title: string;
  values: readonly number[];
  xLabels: readonly [string, string];
  colour?: string;
}): SafeHtml {
  const yMax = niceMax(Math.max(0, ...o.values));
  const x0 = PAD.left;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, o.values.length);
  const bars = o.values.map((v, i) => {
    const h = (v / yMax) * plotH;
    return `<rect x="${n(x0 + i * step + 1)}" y="${n(H - PAD.bottom - h)}" width="${n(Math.max(1, step - 2))}" height="${n(h)}" fill="${o.colour ?? '#1a4fd6'}"/>`;
  });
  return trusted(`${open(o.title)}${frame(o.title, yMax, '', o.xLabels)}${bars.join('')}</svg>`);
}

/** Lines over time (e.g. latency p50 and p99); null values leave a gap. */
export function lineChart(o: {
  title: string;
  series: readonly Series[];
  xLabels: readonly [string, string];
  yUnit: string;
}): SafeHtml {
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const yMax = niceMax(Math.max(0, ...all));
  const count = Math.max(1, ...o.series.map((s) => s.values.length));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const xOf = (i: number): number => PAD.left + (count === 1 ? plotW / 2 : (i / (count - 1)) * plotW);
  const yOf = (v: number): number => H - PAD.bottom - (v / yMax) * plotH;
  const lines = o.series.map((s, si) => {
    const runs: string[] = [];
    let d = '';
    s.values.forEach((v, i) => {
      if (v === null) {
        if (d) runs.push(d);
        d = '';
        return;
      }
      d += `${d ? 'L' : 'M'}${n(xOf(i))} ${n(yOf(v))} `;
    });
    if (d) runs.push(d);
    const dots = s.values
      .map((v, i) =>
        v === null ? '' : `<circle cx="${n(xOf(i))}" cy="${n(yOf(v))}" r="2.5" fill="${s.colour}"/>`,
      )
      .join('');
    const legend = html`<text x="${PAD.left + 8 + si * 90}" y="${PAD.top + 10}" fill="${s.colour}"
      >■ ${s.name}</text
    >`.text;
    return `${runs.map((p) => `<path d="${p.trim()}" fill="none" stroke="${s.colour}" stroke-width="2"/>`).join('')}${dots}${legend}`;
  });
  return trusted(`${open(o.title)}${frame(o.title, yMax, o.yUnit, o.xLabels)}${lines.join('')}</svg>`);
}

/** Horizontal bars with their labels (e.g. outcomes by reason). */
export function horizontalBars(o: {
  title: string;
  rows: readonly { label: string; value: number }[];
}): SafeHtml {
  const rowH = 22;
  const labelW = 200;
  const height = Math.max(1, o.rows.length) * rowH + 10;
  const max = Math.max(1, ...o.rows.map((r) => r.value));
  const barW = W - labelW - 60;
  const bars = o.rows.map((r, i) => {
    const y = 5 + i * rowH;
    const w = (r.value / max) * barW;
    const colour = r.label.startsWith('completed')
      ? '#136f2d'
      : r.label.startsWith('failed')
        ? '#b3261e'
        : '#8a5300';
    return (
      html`<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${r.label}</text>`.text +
      `<rect x="${labelW}" y="${y + 3}" width="${n(Math.max(1, w))}" height="${rowH - 8}" fill="${colour}"/>` +
      html`<text x="${n(labelW + w + 6)}" y="${y + 14}">${r.value}</text>`.text
    );
  });
  const empty = o.rows.length === 0 ? `<text x="${labelW}" y="20">no sessions ended</text>` : '';
  return trusted(
    open(o.title, height) + html`<title>${o.title}</title>`.text + bars.join('') + empty + '</svg>',
  );
}
