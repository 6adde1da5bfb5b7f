// `qr sync`: make Vipps's merchant-callback QR codes match the lanes file (vipps-protocol.md §4): create the
// missing ones, update changed descriptions, optionally delete codes no lane uses (a scan of a deleted code
// tells the customer "not found" instead of leaving them waiting). Lists first, so the plan is exact.
import type { Lane } from '../lanes/lane';
import type { MerchantCallbackQr, VippsClient } from '../vipps';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type Io } from './command';
import { countActions, planQrSync, type QrPlanCounts, type QrPlanItem } from './qr-plan';
import { QR_CONCURRENCY, progressReporter, runLimited } from './qr-run-limited';
import { jsonOption, lanesOption, loadCliLanes, msnsOf, openVippsCli } from './vipps-cli';

export interface QrSyncResult extends QrPlanItem {
  /** `skipped` for `unchanged` and `extra`: nothing to do. */
  readonly result: 'done' | 'failed' | 'skipped';
  /** The failure's message (Vipps errors carry no secrets). */
  readonly error?: string;
}

const DONE: Record<string, string> = { create: 'created', update: 'updated', prune: 'deleted' };

export async function listQrs(client: VippsClient, lanes: readonly Lane[]): Promise<MerchantCallbackQr[]> {
  const lists = await runLimited(msnsOf(lanes), QR_CONCURRENCY, (msn) => client.qr.list({ msn }));
  return lists.flat();
}

export const labelOf = (item: Pick<QrPlanItem, 'laneId' | 'msn' | 'merchantQrId'>): string =>
  item.laneId ?? `${item.msn}/${item.merchantQrId}`;

async function apply(client: VippsClient, item: QrPlanItem): Promise<void> {
  const ref = { msn: item.msn, merchantQrId: item.merchantQrId };
  if (item.action === 'prune') await client.qr.delete(ref);
  else await client.qr.put({ ...ref, locationDescription: item.description });
}

async function execute(client: VippsClient, plan: readonly QrPlanItem[], io: Io): Promise<QrSyncResult[]> {
  const todo = plan.filter((i) => i.action === 'create' || i.action === 'update' || i.action === 'prune');
  const progress = progressReporter(io, todo.length);
  const done = await runLimited(todo, QR_CONCURRENCY, async (item): Promise<QrSyncResult> => {
    try {
      await apply(client, item);
      progress(`${labelOf(item)} ${DONE[item.action] ?? item.action}`);
      return { ...item, result: 'done' };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      progress(`${labelOf(item)} failed: ${error}`);
      return { ...item, result: 'failed', error };
    }
  });
  const byItem = new Map(todo.map((item, i) => [item, done[i] as QrSyncResult]));
  return plan.map((item) => byItem.get(item) ?? { ...item, result: 'skipped' });
}

function planLine(item: QrPlanItem): string {
  const was =
    item.currentDescription === undefined ? '' : ` (was ${JSON.stringify(item.currentDescription)})`;
  return `${item.action.padEnd(9)} ${labelOf(item)}  ${item.msn}/${item.merchantQrId}  ${JSON.stringify(item.description)}${was}`;
}

function summaryLine(c: QrPlanCounts, dryRun: boolean, failed: number): string {
  const head = dryRun
    ? `plan: ${c.create} to create, ${c.update} to update, ${c.unchanged} unchanged, ${c.prune} to delete`
    : `qr sync: ${c.create} created, ${c.update} updated, ${c.unchanged} unchanged, ${c.prune} deleted, ${failed} failed`;
  const extra = c.extra === 0 ? '' : `; ${c.extra} not in the lanes file (kept; --prune deletes them)`;
  return head + extra;
}

export const qrSyncCommand: Command = {
  name: 'qr sync',
  summary: 'Create or update a merchant-callback QR code for every lane in the lanes file',
  usage:
    'qr sync [--lanes FILE] [--prune] [--dry-run] [--json]\n\n' +
    '  --lanes    default LANES_FILE\n' +
    '  --prune    delete codes of the same MSNs that no lane in the file uses\n' +
    '  --dry-run  print the plan (create / update / unchanged / prune) and change nothing\n' +
    '  --json     print {dryRun, items, counts, failed}; progress still goes to stderr',
  options: { ...lanesOption, ...jsonOption, prune: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const { config, client } = openVippsCli(io);
    const lanes = await loadCliLanes(config, values);
    const dryRun = values['dry-run'] === true;
    const plan = planQrSync(lanes, await listQrs(client, lanes), values['prune'] === true);
    const items = dryRun ? plan : await execute(client, plan, io);
    const failed = items.filter((i) => 'result' in i && i.result === 'failed').length;
    // After a run, count what was done: a failed create is not "created".
    const counts = countActions(items.filter((i) => !('result' in i) || i.result !== 'failed'));
    if (values['json']) io.out(JSON.stringify({ dryRun, items, counts, failed }));
    else {
      if (dryRun) for (const item of plan) io.out(planLine(item));
      io.out(summaryLine(counts, dryRun, failed));
    }
    return failed > 0 ? EXIT_FAILURE : EXIT_OK;
  },
};
