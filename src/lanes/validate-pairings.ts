// The lanes file's `pairings` and `qrSource` (issue 16): which ways a customer may meet the lane, and for a
// screen, where its dynamic QR comes from. Problems go to the lane's report like every other field's.
import { PAIRINGS, type Pairing } from './lane';
import { describe, type FieldReport, oneOfError } from './validate-fields';

export const DEFAULT_PAIRINGS: readonly Pairing[] = ['callback-qr'];
const QR_SOURCES = ['epayment', 'one-time'] as const;

/**
 * Why `qrSource: one-time` is refused: the QR API's one-time payment QR (`POST /qr/v1/`) takes the landing
 * page URL of an eCom or Recurring payment, and its guide says that for ePayment the one-time QR "is already
 * included as a feature" (`userFlow: QR`). No source says it accepts an ePayment WEB_REDIRECT `redirectUrl`.
 */
export const ONE_TIME_REFUSAL =
  '"one-time" is not supported: the QR API\'s one-time payment QR (POST /qr/v1/) takes eCom/Recurring ' +
  'payment URLs only, and ePayment has the one-time QR built in (userFlow QR); use "epayment" or omit qrSource';

/** What each pairing needs besides the lane itself; `lanes check` prints it for the pairings a file offers. */
export const PAIRING_NEEDS: Readonly<Record<Pairing, string>> = {
  'callback-qr':
    'the merchant-callback QR sticker (`qr sync` creates it) and the user.checked-in.v1 webhook registered',
  'screen-qr':
    'a customer-facing screen: the controller calls POST /v1/lanes/{laneId}/sessions {pairing: "screen-qr"} and ' +
    'shows the image of the session.qr-ready lane message (ePayment userFlow QR)',
  'personal-qr':
    "a QR scanner: the controller scans the customer's personal QR and calls POST /v1/lanes/{laneId}/sessions " +
    '{pairing: "personal-qr", personalQr} (ePayment push with customer.personalQr)',
  'redirect-qr':
    'a merchant-redirect QR sticker (`qr sync`) opening PUBLIC_BASE_URL/pay/{laneId}, which starts a ' +
    'WEB_REDIRECT payment; PUBLIC_BASE_URL must be set',
};

export interface PairingFields {
  readonly pairings: readonly Pairing[];
  readonly qrSource?: 'epayment';
}

/** The lane's pairings (default callback-qr) and qrSource, or undefined after reporting what is wrong. */
export function validatePairings(
  raw: Record<string, unknown>,
  report: FieldReport,
): PairingFields | undefined {
  const pairings = pairingList(raw.pairings, report);
  const qrSource = raw.qrSource;
  if (qrSource === undefined) return pairings && { pairings };
  const problem =
    qrSource === 'one-time' ? ONE_TIME_REFUSAL : oneOfError(qrSource, QR_SOURCES as unknown as string[]);
  if (problem) {
    report.fail('qrSource', problem);
    return undefined;
  }
  if (pairings && !pairings.includes('screen-qr')) {
    report.fail('qrSource', "only for lanes offering screen-qr (it says where the screen's QR comes from)");
    return undefined;
  }
  return pairings && { pairings, qrSource: 'epayment' };
}

function pairingList(v: unknown, report: FieldReport): readonly Pairing[] | undefined {
  if (v === undefined) return DEFAULT_PAIRINGS;
  const allowed = `a list of ${PAIRINGS.join(', ')}`;
  if (!Array.isArray(v)) {
    report.fail('pairings', `expected ${allowed}, got ${describe(v)}`);
    return undefined;
  }
  if (v.length === 0) {
    report.fail(
      'pairings',
      `expected at least one of ${PAIRINGS.join(', ')} (to stop a lane, set enabled: false)`,
    );
    return undefined;
  }
  let ok = true;
  const seen = new Set<string>();
  v.forEach((p, i) => {
    const problem = oneOfError(p, PAIRINGS);
    if (problem) report.fail(`pairings[${i}]`, problem);
    else if (seen.has(p as string)) report.fail(`pairings[${i}]`, `${describe(p)} is listed twice`);
    else {
      seen.add(p as string);
      return;
    }
    ok = false;
  });
  return ok ? (v as Pairing[]) : undefined;
}
