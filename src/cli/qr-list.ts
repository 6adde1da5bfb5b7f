// `qr list`: the merchant-callback QR codes Vipps has for the MSNs of the lanes file (vipps-protocol.md §4),
// each with the lane that uses it (or none), and the lanes that still have no code.
import type { Lane } from '../lanes/lane';
import type { MerchantCallbackQr, VippsClient } from '../vipps';
import { EXIT_OK, UsageError, type Command, type Io } from './command';
import { offersRedirectQr } from './qr-redirect-plan';
import { listRedirectQrs } from './qr-redirect-sync';
import { listQrs } from './qr-sync';
import { jsonOption, lanesOption, loadCliLanes, openVippsCli } from './vipps-cli';

export interface QrListRow {
  readonly msn: string;
  readonly merchantQrId: string;
  readonly laneId: string | null;
  readonly locationDescription: string;
  readonly qrContent: string;
  readonly qrImageUrl: string;
}

/** A redirect-qr lane's merchant-redirect code (qr-redirect-sync.ts), listed after the callback codes. */
export interface RedirectQrListRow {
  readonly kind: 'merchant-redirect';
  readonly msn: string;
  readonly id: string;
  readonly laneId: string | null;
  readonly redirectUrl: string;
  readonly qrContent: string;
}

const keyOf = (msn: string, merchantQrId: string): string => `${msn}\n${merchantQrId}`;

async function redirectRows(
  client: VippsClient,
  lanes: readonly Lane[],
  io: Io,
): Promise<RedirectQrListRow[]> {
  const redirectLanes = lanes.filter(offersRedirectQr);
  const existing = await listRedirectQrs(client, lanes, false);
  const laneIds = new Set(redirectLanes.map((l) => keyOf(l.msn, l.id)));
  const rows = existing.map(({ msn, qr }) => ({
    kind: 'merchant-redirect' as const,
    msn,
    id: qr.id,
    laneId: laneIds.has(keyOf(msn, qr.id)) ? qr.id : null,
    redirectUrl: qr.redirectUrl,
    qrContent: qr.url,
  }));
  const present = new Set(rows.map((r) => keyOf(r.msn, r.id)));
  const missing = redirectLanes.filter((l) => !present.has(keyOf(l.msn, l.id))).map((l) => l.id);
  if (missing.length > 0)
    io.err(
      `${missing.length} redirect-qr lane(s) without a merchant-redirect code: ${missing.join(', ')} (run \`checkin-gateway qr sync\`)`,
    );
  return rows;
}

export const qrListCommand: Command = {
  name: 'qr list',
  summary:
    'List the merchant-callback QR codes of the lanes file\u2019s MSNs and the redirect-qr lanes\u2019 merchant-redirect codes',
  usage:
    'qr list [--lanes FILE] [--json]\n\n' +
    '  --lanes  default LANES_FILE\n' +
    '  --json   print [{msn, merchantQrId, laneId, locationDescription, qrContent, qrImageUrl}], then the\n' +
    '           redirect-qr lanes\u2019 codes as {kind: "merchant-redirect", msn, id, laneId, redirectUrl, qrContent}',
  options: { ...lanesOption, ...jsonOption },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const { config, client } = openVippsCli(io);
    const lanes = await loadCliLanes(config, values);
    const qrs = await listQrs(client, lanes);
    const laneIndex = new Map(lanes.map((l, i) => [keyOf(l.msn, l.merchantQrId), { id: l.id, i }]));
    const order = (q: MerchantCallbackQr): number =>
      laneIndex.get(keyOf(q.merchantSerialNumber, q.merchantQrId))?.i ?? lanes.length;
    const rows: QrListRow[] = [...qrs]
      .sort((a, b) => order(a) - order(b) || a.merchantQrId.localeCompare(b.merchantQrId))
      .map((q) => ({
        msn: q.merchantSerialNumber,
        merchantQrId: q.merchantQrId,
        laneId: laneIndex.get(keyOf(q.merchantSerialNumber, q.merchantQrId))?.id ?? null,
        locationDescription: q.locationDescription,
        qrContent: q.qrContent,
        qrImageUrl: q.qrImageUrl,
      }));
    const redirects = await redirectRows(client, lanes, io);
    if (values['json']) io.out(JSON.stringify([...rows, ...redirects]));
    else if (rows.length === 0) io.out('no merchant-callback QR codes for these MSNs');
    else
      for (const r of rows)
        io.out(
          `${r.laneId ?? '-'}  ${r.msn}/${r.merchantQrId}  ${JSON.stringify(r.locationDescription)}  ${r.qrContent}`,
        );
    if (!values['json'])
      for (const r of redirects)
        io.out(`${r.laneId ?? '-'}  ${r.msn}/${r.id}  redirect -> ${r.redirectUrl}  ${r.qrContent}`);
    const present = new Set(qrs.map((q) => keyOf(q.merchantSerialNumber, q.merchantQrId)));
    const missing = lanes.filter((l) => !present.has(keyOf(l.msn, l.merchantQrId))).map((l) => l.id);
    if (missing.length > 0)
      io.err(
        `${missing.length} lane(s) without a QR code: ${missing.join(', ')} (run \`checkin-gateway qr sync\`)`,
      );
    return EXIT_OK;
  },
};
