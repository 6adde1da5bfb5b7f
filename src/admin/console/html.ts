// HTML built by a tagged template that escapes every interpolated value: a page cannot forget to escape,
// because only `html`…`` results (SafeHtml) are inserted as they are. Lane descriptions, error texts and ids
// come from files, controllers and the network, so all of them are treated as hostile.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

/** Markup that is already escaped (made only by `html` or `raw`). */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<td>${text}</td>\``: every value is escaped unless it is SafeHtml; arrays are joined. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusted markup produced by this module's own code (e.g. an SVG built from numbers). Never user text. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * A small standalone page (the pay page, the emulator's landing page): lang, charset, viewport, the title,
 * what `head` adds (styles, scripts), and `body` as the page's one <main>.
 */
export function standalonePage(title: string, head: SafeHtml | undefined, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        ${head}
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`;
}
