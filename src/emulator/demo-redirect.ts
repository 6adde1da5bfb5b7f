// The demo's redirect-qr scenario (issue 16): the customer's browser, played over HTTP. It opens the pay page
// of the first vending lane offering redirect-qr, presses Pay (303 to the emulator's landing page), presses
// Approve there (303 back to the result page) and reads the result page's status until the session has ended;
// then the lane messages and the emulator's ledger are checked as for the scanned scenarios (demo-run.ts).
import type { Lane } from '../lanes/lane';
import { startVendingRun, vendingLaneOffering, type DemoRunResult, type DemoTools } from './demo-run';
import { money } from './demo-timeline';

/** The lane the scenario uses: the first enabled vending lane offering redirect-qr, if any. */
export function redirectDemoLane(lanes: readonly Lane[]): Lane | undefined {
  return vendingLaneOffering(lanes, 'redirect-qr');
}

/** A browser request: redirects are looked at, not followed. */
function browse(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, redirect: 'manual' });
}

export async function runRedirectDemo(
  gatewayUrl: string,
  lane: Lane,
  tools: DemoTools,
): Promise<DemoRunResult> {
  const run = await startVendingRun(
    tools,
    lane,
    (dispensed, max) =>
      `redirect-qr: pay page, approve on the Vipps page, dispense ${money(dispensed)} of ${money(max)}`,
  );
  const payPage = `${gatewayUrl}/pay/${encodeURIComponent(lane.id)}`;
  run.say(`opens ${payPage} (the merchant-redirect sticker's page)`);
  const page = await browse(payPage);
  const token = /name="token" value="([^"]+)"/.exec(await page.text())?.[1];
  if (page.status !== 200 || !token)
    return run.fail(`the pay page answered ${page.status} without a Pay form`);
  const posted = await browse(payPage, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const landing = posted.headers.get('location');
  if (posted.status !== 303 || !landing) return run.fail(`Pay answered ${posted.status}, not 303 to Vipps`);
  run.say('presses Pay ⇒ the Vipps payment page');
  const approved = await browse(`${landing}/approve`, { method: 'POST' });
  const resultUrl = approved.headers.get('location');
  if (approved.status !== 303 || !resultUrl)
    return run.fail(`Approve answered ${approved.status}, not 303 back`);
  run.say('approves ⇒ back to the result page');
  const status = await tools.pollFor(async () => {
    const s = (await (await fetch(`${resultUrl}/status`)).json()) as {
      final?: boolean;
      title?: string;
      detail?: string;
    };
    return s.final ? s : undefined;
  }, tools.timeoutMs);
  if (status) run.say(`result page: ${status.title ?? ''}. ${status.detail ?? ''}`);
  else run.problems.push('the result page never showed the end of the session');
  return run.finish(decodeURIComponent(resultUrl.split('/').at(-1) ?? ''));
}
