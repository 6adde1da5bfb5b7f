// The console's only assets, served by the gateway itself (no CDN, no build step): one stylesheet and one
// small script. They live in files of their own because the Content-Security-Policy forbids inline style and
// script (issue 14); kept as strings so `tsc` carries them into dist/ with no copy step.
import { createHash } from 'node:crypto';

export const CONSOLE_CSS = `
:root { --fg: #1d1d1f; --muted: #5b5b66; --line: #d6d6de; --bg: #ffffff; --band: #f4f4f8;
  --accent: #1a4fd6; --ok: #136f2d; --warn: #8a5300; --bad: #b3261e; --focus: #ffbf47; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid var(--focus);
  outline-offset: 1px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 18px; padding: 10px 20px;
  background: #15183a; color: #fff; }
header.top a { color: #fff; text-decoration: none; padding: 4px 2px; }
header.top a[aria-current="page"] { border-bottom: 3px solid var(--focus); }
header.top .brand { font-weight: 700; margin-right: 10px; }
header.top form { margin-left: auto; }
header.top button { background: transparent; color: #fff; border: 1px solid #8e93c8; }
header.top .muted { color: #d4d6f0; margin-right: 8px; }
main { padding: 16px 20px 40px; max-width: 1280px; }
h1 { font-size: 1.5rem; margin: 6px 0 14px; }
h2 { font-size: 1.15rem; margin: 22px 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.changed { animation: flash 1.2s ease-out; }
@keyframes flash { from { background: #fff3c4; } to { background: transparent; } }
.state { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .85rem; background: #e8e8ef; }
.state-idle, .state-completed, .state-settled, .state-ok { background: #dff3e4; color: var(--ok); }
.state-busy, .state-payment-requested, .state-authorized, .state-capturing, .state-awaiting-sale,
.state-open { background: #e1e9ff; color: #173c9e; }
.state-cancelling, .state-cancelled, .state-dropped, .state-degraded { background: #fff0d6; color: var(--warn); }
.state-failed, .state-disabled, .state-needs-attention, .state-bad { background: #fde2e0; color: var(--bad); }
tr.outstanding td { background: #fff7e0; }
.muted { color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: flex-end; margin-bottom: 10px; }
.filters label, .stack label { display: flex; flex-direction: column; font-size: .9rem; gap: 2px; }
input, select, button { font: inherit; padding: 5px 8px; border: 1px solid #9a9aa8; border-radius: 4px; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); }
button.plain { background: #fff; color: var(--accent); }
.pager { display: flex; gap: 14px; align-items: center; }
.notice { padding: 8px 12px; border-left: 4px solid var(--accent); background: var(--band); margin: 10px 0; }
.notice.bad { border-color: var(--bad); }
.login { max-width: 420px; margin: 60px auto; }
.login input { width: 100%; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 18px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg text { font: 11px system-ui, sans-serif; }
svg text:not([fill]) { fill: #3b3b45; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
#live { font-size: .85rem; color: var(--muted); }
code { font-size: .9em; }
`;

// Live updates (server-sent events): the page names what it shows in <body data-live="…">; the server sends
// rows it rendered (escaped) and the script swaps them in. Without script the pages still work (reload).
export const CONSOLE_JS = `'use strict';
(function () {
  var body = document.body;
  var live = body.getAttribute('data-live');
  var status = document.getElementById('live');
  if (!live || !window.EventSource) return;
  var source = new EventSource('/console/events?' + live);
  function say(text) { if (status) status.textContent = text; }
  source.onopen = function () { say('Live: updates as they happen'); };
  source.onerror = function () { say('Reconnecting…'); };
  source.addEventListener('row', function (e) {
    var msg = JSON.parse(e.data);
    var tmp = document.createElement('template');
    tmp.innerHTML = msg.html;
    var row = tmp.content.firstElementChild;
    if (!row) return;
    row.classList.add('changed');
    var old = document.getElementById(msg.id);
    if (old) { old.replaceWith(row); return; }
    var into = msg.into && document.getElementById(msg.into);
    if (!into) return;
    var empty = into.querySelector('tr.empty');
    if (empty) empty.remove();
    into.insertBefore(row, into.firstElementChild);
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
`;

/** A content hash for the asset URLs: a new build gets new URLs, so assets can be cached for long. */
export function assetVersion(): string {
  return createHash('sha256').update(CONSOLE_CSS).update(CONSOLE_JS).digest('hex').slice(0, 10);
}
