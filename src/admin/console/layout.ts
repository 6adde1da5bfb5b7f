// The page shell every console page shares: headings, a skip link, the navigation (aria-current on the page
// shown), the logout form (with its CSRF field) and the one stylesheet and script, both served by the gateway.
import { assetVersion } from './assets';
import { html, type SafeHtml } from './html';

export const NAV = [
  { path: '/console', label: 'Fleet', key: 'fleet' },
  { path: '/console/activity', label: 'Activity', key: 'activity' },
  { path: '/console/dead-letters', label: 'Dead letters', key: 'dead-letters' },
  { path: '/console/payments', label: 'Payments', key: 'payments' },
  { path: '/console/webhooks', label: 'Webhooks & Vipps', key: 'webhooks' },
  { path: '/console/audit', label: 'Audit log', key: 'audit' },
] as const;

export type NavKey = (typeof NAV)[number]['key'] | 'login';

export interface PageOptions {
  readonly title: string;
  readonly nav: NavKey;
  readonly body: SafeHtml;
  /** The logged-in operator (absent on the login page). */
  readonly operator?: string;
  readonly csrf?: string;
  /** What the page follows live: the query string of /console/events (e.g. `lanes=a,b`). */
  readonly live?: string;
}

const VERSION = assetVersion();

/** A hidden form field carrying the session's CSRF token: every console form has one. */
export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}" />`;
}

export function page(o: PageOptions): string {
  const nav = o.operator
    ? html`<nav aria-label="Console">
          ${NAV.map(
            (n) =>
              html`<a href="${n.path}" ${n.key === o.nav ? html` aria-current="page"` : ''}>${n.label}</a> `,
          )}
        </nav>
        <form method="post" action="/console/logout">
          ${csrfField(o.csrf ?? '')}<span class="muted">${o.operator}</span>
          <button type="submit">Log out</button>
        </form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · checkin-gateway console</title>
<link rel="stylesheet" href="/console/assets/console.css?v=${VERSION}">
<script src="/console/assets/console.js?v=${VERSION}" defer></script>
</head>
<body${o.live ? html` data-live="${o.live}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">checkin-gateway</span>${nav}</header>
<main id="main">
<h1>${o.title}</h1>
${o.live ? html`<p id="live" aria-live="polite">Live updates need script; reload to refresh.</p>` : ''}
${o.body}
</main>
</body>
</html>
`.text;
}
