// `qr download --label` and `--sheet a4`: stickers to print and stick on the machines, each code with the lane's
// description and id under it, so matching hundreds of stickers to machines does not rely on file names.
// The code is made here from the code's qrContent (qr-label-code.ts); Vipps is asked only for that content.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lane } from '../lanes/lane';
import { VippsApiError, type VippsClient } from '../vipps';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Io } from './command';
import { qrPng } from './qr-label-png';
import { SHEET_COLUMNS, SHEET_ROWS, stickerSheet, type Sticker } from './qr-label-sheet';
import { qrSvg } from './qr-label-svg';
import type { QrImageChoice } from './qr-download';
import { QR_CONCURRENCY, progressReporter, runLimited } from './qr-run-limited';

export const labelOptions = {
  label: { type: 'boolean' },
  sheet: { type: 'string' },
  lane: { type: 'string', multiple: true },
} as const;

export const labelUsage =
  '  --label   put the lane\u2019s description and id under each code (PNG or SVG)\n' +
  '  --sheet   a4: write one printable PDF of labelled stickers, qr-stickers-a4.pdf in DIR\n' +
  '  --lane    only this lane id (repeatable); default every lane of the file';

/** The file `--sheet a4` writes in the --out directory. */
export const SHEET_FILE = 'qr-stickers-a4.pdf';
const DEFAULT_PNG_WIDTH = 600;

/** `--lane ID …`: those lanes, in file order; an id the file does not have is a usage error. */
export function selectLanes(lanes: readonly Lane[], values: Record<string, unknown>): Lane[] {
  const wanted = Array.isArray(values['lane']) ? (values['lane'] as string[]) : [];
  if (wanted.length === 0) return [...lanes];
  const known = new Set(lanes.map((l) => l.id));
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new UsageError(
      `--lane: no lane ${unknown.map((id) => JSON.stringify(id)).join(', ')} in the lanes file`,
    );
  return lanes.filter((l) => wanted.includes(l.id));
}

/** `--sheet a4` given (checked: only a4, and without the image options it makes no use of). */
export function sheetRequested(values: Record<string, unknown>): boolean {
  const sheet = values['sheet'];
  if (sheet === undefined) return false;
  if (String(sheet).toLowerCase() !== 'a4')
    throw new UsageError(`--sheet must be a4, got ${JSON.stringify(sheet)}`);
  if (values['format'] !== undefined || values['size'] !== undefined)
    throw new UsageError('--format and --size do not apply to --sheet (the PDF holds its own images)');
  return true;
}

/**
 * Fetches every lane's qrContent and writes labelled images (or one sheet) into `out`. Every lane is tried;
 * lanes without a code are named and make the exit code 1, as for plain images.
 */
export async function writeStickers(
  client: VippsClient,
  lanes: readonly Lane[],
  choice: 'sheet' | QrImageChoice,
  out: string,
  io: Io,
): Promise<number> {
  await mkdir(out, { recursive: true });
  const progress = progressReporter(io, lanes.length);
  let missing = 0;
  const stickers = await runLimited(lanes, QR_CONCURRENCY, async (lane): Promise<Sticker | undefined> => {
    try {
      const qr = await client.qr.get({ msn: lane.msn, merchantQrId: lane.merchantQrId });
      const sticker = { content: qr.qrContent, description: lane.description, laneId: lane.id };
      if (choice === 'sheet') progress(`${lane.id} ready`);
      else {
        const path = join(out, `${lane.id}.${choice.format.toLowerCase()}`);
        await writeFile(
          path,
          choice.format === 'PNG'
            ? qrPng(sticker.content, choice.size ?? DEFAULT_PNG_WIDTH, sticker)
            : qrSvg(sticker.content, sticker),
        );
        progress(`${lane.id} written to ${path}`);
      }
      return sticker;
    } catch (e) {
      const notFound = e instanceof VippsApiError && e.status === 404;
      if (notFound) missing += 1;
      const why = notFound
        ? `Vipps has no QR code ${lane.msn}/${lane.merchantQrId}`
        : e instanceof Error
          ? e.message
          : String(e);
      progress(`${lane.id} failed: ${why}`);
      return undefined;
    }
  });
  const ready = stickers.filter((s): s is Sticker => s !== undefined);
  const failed = lanes.length - ready.length;
  if (choice === 'sheet') {
    if (ready.length > 0) {
      const path = join(out, SHEET_FILE);
      await writeFile(path, await stickerSheet(ready));
      const pages = Math.ceil(ready.length / (SHEET_COLUMNS * SHEET_ROWS));
      io.out(
        `qr download: ${ready.length} stickers on ${pages} A4 page(s) written to ${path}, ${failed} failed`,
      );
    } else io.out(`qr download: no sticker to print, ${failed} failed`);
  } else io.out(`qr download: ${ready.length} labelled written to ${out}, ${failed} failed`);
  if (missing > 0) io.err(`${missing} lane(s) have no QR code yet: run \`checkin-gateway qr sync\` first`);
  return failed > 0 ? EXIT_FAILURE : EXIT_OK;
}
