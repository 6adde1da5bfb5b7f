// The demo's screen-qr and personal-qr scenarios (issue 16), played over HTTP as a lane controller and a customer
// would: the controller asks POST /v1/lanes/{laneId}/sessions (signed with the sandbox's controller key), the
// screen's QR comes in session.qr-ready and a simulated customer scans it at the emulator; or a simulated
// customer's personal QR is "scanned" and the push goes to them. Then the lane messages and the emulator's ledger
// are checked as for the scanned scenarios: authorize → dispense → capture the dispensed, release the rest.
import jwt from 'jsonwebtoken';
import { hs256Key } from '../controller-api/controller-keys';
import type { Lane } from '../lanes/lane';
import { referenceFor } from '../sessions/ids';
import { startVendingRun, vendingLaneOffering, type DemoRunResult, type DemoTools } from './demo-run';
import { money } from './demo-timeline';
import type { ReceivedMessage } from './simulated-controller';

type Pairing = 'screen-qr' | 'personal-qr';

/** The lane a pairing's scenario uses: the first enabled vending lane offering it, if any. */
export function pairingDemoLane(lanes: readonly Lane[], pairing: Pairing): Lane | undefined {
  return vendingLaneOffering(lanes, pairing);
}

/** `hs256:<secret>` (the gateway's sandbox controller key) → a fleet token, as the simulated controller signs. */
function controllerToken(key: string): string {
  const secret = hs256Key(key.slice('hs256:'.length));
  return jwt.sign({ lanes: '*', iat: Math.floor(Date.now() / 1000) }, secret, {
    algorithm: 'HS256',
    expiresIn: '5m',
    subject: 'demo-controller',
  });
}

export async function runPairingDemo(
  gatewayUrl: string,
  controllerKey: string,
  lane: Lane,
  pairing: Pairing,
  tools: DemoTools,
): Promise<DemoRunResult> {
  const run = await startVendingRun(tools, lane, (dispensed, max) =>
    pairing === 'screen-qr'
      ? `screen-qr: QR on the lane's screen, scanned and approved, dispense ${money(dispensed)} of ${money(max)}`
      : `personal-qr: the lane scans the customer's QR, push approved, dispense ${money(dispensed)} of ${money(max)}`,
  );
  const { say, fail } = run;
  let personalQr: string | undefined;
  if (pairing === 'personal-qr') {
    const made = await tools.http<{ personalQr: string }>('POST', '/emulator/v1/customers', {
      behavior: { action: 'approve', afterMs: 300 },
    });
    personalQr = made.personalQr;
    say("shows the app's personal QR to the lane's scanner");
  }
  const attemptId = `demo-${pairing}-${run.t0}`;
  const res = await fetch(`${gatewayUrl}/v1/lanes/${encodeURIComponent(lane.id)}/sessions`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${controllerToken(controllerKey)}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ attemptId, pairing, ...(personalQr ? { personalQr } : {}) }),
  });
  const started = (await res.json()) as { sessionId?: string; qrImageUrl?: string | null; detail?: string };
  if (res.status !== 201 || !started.sessionId)
    return fail(`POST /v1/lanes/${lane.id}/sessions answered ${res.status}: ${started.detail ?? ''}`);
  const sessionId = started.sessionId;
  const reference = referenceFor(lane.id, sessionId);

  if (pairing === 'screen-qr') {
    const qrReady = await tools.pollFor(async () => {
      const { messages } = await tools.http<{ messages: ReceivedMessage[] }>(
        'GET',
        `/emulator/v1/controllers/${lane.id}/messages`,
      );
      return messages.find((r) => r.message.sessionId === sessionId && r.message.type === 'session.qr-ready');
    }, tools.timeoutMs);
    if (!qrReady) return fail('the lane never got session.qr-ready');
    say('scans the QR on the screen with the app and approves');
    await tools.http('POST', `/emulator/v1/payments/${encodeURIComponent(reference)}/scan`, {
      behavior: { action: 'approve', afterMs: 300 },
    });
  }

  return run.finish(sessionId);
}
