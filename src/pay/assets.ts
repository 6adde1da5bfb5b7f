// The pay page's only assets, served by the gateway (no CDN): a stylesheet and the result page's small script,
// as files of their own because the Content-Security-Policy forbids inline style and script. Strings, so `tsc`
// carries them into dist/ with no copy step; the URL carries a content hash, so they can be cached for long.
import { createHash } from 'node:crypto';

export const PAY_CSS = `
:root { --fg: #1d1d1f; --muted: #55555f; --accent: #ff5b24; --button: #c8370c; --ok: #136f2d; --bad: #b3261e;
  --focus: #ffbf47; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: #fff6f2; }
main { max-width: 28rem; margin: 0 auto; padding: 24px 18px 48px; }
h1 { font-size: 1.45rem; margin: 4px 0 12px; }
.lane { color: var(--muted); margin: 0 0 4px; }
.amount { font-size: 2.4rem; font-weight: 700; margin: 8px 0 20px; font-variant-numeric: tabular-nums; }
.amount .note { font-size: 1rem; font-weight: 400; }
.card { background: #fff; border-radius: 14px; padding: 20px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
button.pay { display: block; width: 100%; min-height: 52px; font: inherit; font-weight: 700; color: #fff;
  background: var(--button); border: 0; border-radius: 10px; padding: 12px; cursor: pointer; }
button.pay:focus, a:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
a { color: #9c2a08; }
.note { color: var(--muted); font-size: .92rem; }
.outcome-completed h1 { color: var(--ok); }
.outcome-failed h1, .outcome-cancelled h1 { color: var(--bad); }
`;

/**
 * The result page follows its session: it reads `<page URL>/status` (JSON) every 1.5 s and writes the title and
 * detail into the page (an aria-live region, so a screen reader hears the change) until the session has ended.
 */
export const RESULT_JS = `
(function () {
  var root = document.getElementById('result');
  if (!root || root.getAttribute('data-final') === 'true') return;
  var title = document.getElementById('result-title');
  var detail = document.getElementById('result-detail');
  var url = root.getAttribute('data-status-url');
  function poll() {
    fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (s) {
        if (s) {
          title.textContent = s.title;
          detail.textContent = s.detail;
          root.className = 'card outcome-' + s.outcome;
          root.setAttribute('data-state', s.state);
          if (s.final) { root.setAttribute('data-final', 'true'); return; }
        }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
`;

export const PAY_ASSETS_VERSION = createHash('sha256')
  .update(PAY_CSS)
  .update(RESULT_JS)
  .digest('hex')
  .slice(0, 12);
