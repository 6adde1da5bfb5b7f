// `qr download`: one print-ready image per lane, named by lane id, fetched from each code's `qrImageUrl`
// (no auth; it may change over time, so it is read fresh on every run, vipps-protocol.md §4).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lane } from '../lanes/lane';
import { VippsApiError, type VippsClient } from '../vipps';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from './command';
import { offersRedirectQr } from './qr-redirect-plan';
import { QR_CONCURRENCY, progressReporter, runLimited } from './qr-run-limited';
import { labelOptions, labelUsage, selectLanes, sheetRequested, writeStickers } from './qr-label-download';
import { lanesOption, loadCliLanes, openVippsCli } from './vipps-cli';

export interface QrImageChoice {
  readonly format: 'PNG' | 'SVG';
  /** PNG only (§4: 100-2000 px). */
  readonly size?: number;
}

const IMAGE_TIMEOUT_MS = 30_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** `--format png|svg` (default png) and `--size N` (PNG only, default Vipps's 600). */
export function imageChoiceFrom(values: Record<string, unknown>): QrImageChoice {
  const format = String(values['format'] ?? 'png').toLowerCase();
  if (format !== 'png' && format !== 'svg')
    throw new UsageError(`--format must be png or svg, got ${JSON.stringify(values['format'])}`);
  const rawSize = values['size'];
  if (rawSize === undefined) return { format: format === 'png' ? 'PNG' : 'SVG' };
  if (format === 'svg')
    throw new UsageError('--size applies to --format png only (an SVG scales to any size)');
  const size = Number(rawSize);
  if (!/^\d+$/.test(String(rawSize)) || size < 100 || size > 2000)
    throw new UsageError(
      `--size must be an integer from 100 to 2000 (pixels), got ${JSON.stringify(rawSize)}`,
    );
  return { format: 'PNG', size };
}

class NotAnImageError extends Error {
  readonly code = 'QR_IMAGE_UNEXPECTED';
  constructor(format: string, url: string) {
    super(`${url} did not return a ${format} image`);
    this.name = 'NotAnImageError';
  }
}

async function fetchImage(url: string, format: QrImageChoice['format']): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(IMAGE_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`image download from ${url} answered HTTP ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const ok =
    format === 'PNG'
      ? bytes.subarray(0, 8).equals(PNG_SIGNATURE)
      : bytes.toString('utf8', 0, 4096).includes('<svg');
  if (!ok) throw new NotAnImageError(format, url);
  return bytes;
}

async function downloadOne(
  client: VippsClient,
  lane: Lane,
  image: QrImageChoice,
  dir: string,
): Promise<string> {
  const qr = await client.qr.get({ msn: lane.msn, merchantQrId: lane.merchantQrId, ...image });
  const path = join(dir, `${lane.id}.${image.format.toLowerCase()}`);
  await writeFile(path, await fetchImage(qr.qrImageUrl, image.format));
  return path;
}

/** A redirect-qr lane's merchant-redirect code, `<lane id>-redirect.png|svg` (the image is chosen by Accept). */
async function downloadRedirect(
  client: VippsClient,
  lane: Lane,
  image: QrImageChoice,
  dir: string,
): Promise<string> {
  const accept = image.format === 'PNG' ? 'image/png' : 'image/svg+xml';
  const qr = await client.qr.redirect.get({
    msn: lane.msn,
    id: lane.id,
    accept,
    ...(image.size === undefined ? {} : { size: image.size }),
  });
  const path = join(dir, `${lane.id}-redirect.${image.format.toLowerCase()}`);
  await writeFile(path, await fetchImage(qr.url, image.format));
  return path;
}

export const qrDownloadCommand: Command = {
  name: 'qr download',
  summary:
    'Download a print-ready QR code image per lane, named <lane id>.png|svg (redirect-qr lanes also <lane id>-redirect.*)',
  usage:
    'qr download --out DIR [--format png|svg] [--size N] [--label | --sheet a4] [--lane ID ...] [--lanes FILE]\n\n' +
    '  --out     directory to write into (created if missing); existing files are replaced\n' +
    '  --format  png (default) or svg\n' +
    '  --size    PNG width in pixels, 100-2000 (default 600)\n' +
    `${labelUsage}\n` +
    '  --lanes   default LANES_FILE',
  options: {
    ...lanesOption,
    ...labelOptions,
    out: { type: 'string' },
    format: { type: 'string' },
    size: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const out = values['out'];
    if (typeof out !== 'string' || out === '') throw new UsageError('--out DIR is required');
    const sheet = sheetRequested(values);
    const image = imageChoiceFrom(values);
    const { config, client } = openVippsCli(io);
    const lanes = selectLanes(await loadCliLanes(config, values), values);
    if (sheet || values['label'] === true)
      return writeStickers(client, lanes, sheet ? 'sheet' : image, out, io);
    await mkdir(out, { recursive: true });
    // A redirect-qr lane also has its merchant-redirect code: one more image, `<lane id>-redirect.*`.
    const jobs = lanes.flatMap((lane) => [
      { lane, redirect: false },
      ...(offersRedirectQr(lane) ? [{ lane, redirect: true }] : []),
    ]);
    const progress = progressReporter(io, jobs.length);
    let missing = 0;
    // Every lane is attempted: one missing code must not keep the others from being printed.
    const results = await runLimited(jobs, QR_CONCURRENCY, async ({ lane, redirect }) => {
      try {
        const path = redirect
          ? await downloadRedirect(client, lane, image, out)
          : await downloadOne(client, lane, image, out);
        progress(`${lane.id}${redirect ? ' (redirect)' : ''} written to ${path}`);
        return true;
      } catch (e) {
        const notFound = e instanceof VippsApiError && e.status === 404;
        if (notFound) missing += 1;
        const why = notFound
          ? redirect
            ? `Vipps has no merchant-redirect code ${lane.msn}/${lane.id}`
            : `Vipps has no QR code ${lane.msn}/${lane.merchantQrId}`
          : e instanceof Error
            ? e.message
            : String(e);
        progress(`${lane.id}${redirect ? ' (redirect)' : ''} failed: ${why}`);
        return false;
      }
    });
    const failed = results.filter((ok) => !ok).length;
    io.out(`qr download: ${results.length - failed} written to ${out}, ${failed} failed`);
    if (missing > 0) io.err(`${missing} lane(s) have no QR code yet: run \`checkin-gateway qr sync\` first`);
    return failed > 0 ? EXIT_FAILURE : EXIT_OK;
  },
};
