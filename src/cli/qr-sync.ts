// `qr sync`: make Vipps's merchant-callback QR codes match the lanes file (vipps-protocol.md §4): create the
// missing ones, update changed descriptions, optionally delete codes no lane uses (a scan of a deleted code
// tells the customer "not found" instead of leaving them waiting). Lists first, so the plan is exact.
import type { Lane } from '../lanes/lane';
import type { MerchantCallbackQr, VippsClient } from '../vipps';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type Io } from './command';
import { planQrSync, type QrPlanCounts, type QrPlanItem } from './qr-plan';
import {
  executeRedirectPlan,
  planOutcome,
  planRedirectQrs,
  redirectPlanLine,
  redirectSummaryLine,
} from './qr-redirect-sync';
import { executePlan, QR_CONCURRENCY, runLimited, type Executed } from './qr-run-limited';
import { jsonOption, lanesOption, loadCliLanes, msnsOf, openVippsCli } from './vipps-cli';

/** `skipped` for `unchanged` and `extra`: nothing to do; a failure carries its message. */
export type QrSyncResult = Executed<QrPlanItem>;

export async function listQrs(client: VippsClient, lanes: readonly Lane[]): Promise<MerchantCallbackQr[]> {
  const lists = await runLimited(msnsOf(lanes), QR_CONCURRENCY, (msn) => client.qr.list({ msn }));
  return lists.flat();
}

export const labelOf = (item: Pick<QrPlanItem, 'laneId' | 'msn' | 'merchantQrId'>): string =>
  item.laneId ?? `${item.msn}/${item.merchantQrId}`;

async function apply(client: VippsClient, item: QrPlanItem): Promise<void> {
  const ref = { msn: item.msn, merchantQrId: item.merchantQrId };
  if (item.action === 'prune') await client.qr.delete(ref);
  else
    await client.qr.put({
      ...ref,
      locationDescription: item.description,
      ...(item.category === undefined ? {} : { category: item.category }),
    });
}

function execute(client: VippsClient, plan: readonly QrPlanItem[], io: Io): Promise<QrSyncResult[]> {
  return executePlan(plan, io, labelOf, (item) => apply(client, item));
}

function planLine(item: QrPlanItem): string {
  const was =
    item.currentDescription === undefined ? '' : ` (was ${JSON.stringify(item.currentDescription)})`;
  const category =
    item.currentCategory === undefined ? '' : `  category ${item.category} (was ${item.currentCategory})`;
  return `${item.action.padEnd(9)} ${labelOf(item)}  ${item.msn}/${item.merchantQrId}  ${JSON.stringify(item.description)}${was}${category}`;
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
  summary:
    'Create or update a merchant-callback QR code for every lane, and a merchant-redirect code for every redirect-qr lane',
  usage:
    'qr sync [--lanes FILE] [--prune] [--dry-run] [--json]\n\n' +
    '  --lanes    default LANES_FILE\n' +
    '  --prune    delete codes of the same MSNs that no lane in the file uses (merchant-redirect: only codes\n' +
    '             opening PUBLIC_BASE_URL/pay/… whose lane is gone or no longer offers redirect-qr)\n' +
    '  --dry-run  print the plan (create / update / unchanged / prune) and change nothing\n' +
    '  --json     print {dryRun, items, counts, failed, redirect?: {items, counts, failed}}; progress on stderr\n\n' +
    'A lane offering redirect-qr gets a merchant-redirect code (id = lane id) opening PUBLIC_BASE_URL/pay/{laneId}.',
  options: { ...lanesOption, ...jsonOption, prune: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const { config, client } = openVippsCli(io);
    const lanes = await loadCliLanes(config, values);
    const dryRun = values['dry-run'] === true;
    const prune = values['prune'] === true;
    const plan = planQrSync(lanes, await listQrs(client, lanes), prune);
    // Merchant-redirect codes of redirect-qr lanes (qr-redirect-sync.ts); none asked for without such lanes.
    const redirectPlan = await planRedirectQrs(client, config, lanes, prune);
    const items = dryRun ? plan : await execute(client, plan, io);
    const redirectItems = dryRun ? redirectPlan : await executeRedirectPlan(client, redirectPlan, io);
    const { counts, failed } = planOutcome(items);
    const redirect = planOutcome(redirectItems);
    const shown = redirectItems.length > 0;
    if (values['json'])
      io.out(
        JSON.stringify({
          dryRun,
          items,
          counts,
          failed,
          ...(shown ? { redirect: { items: redirectItems, ...redirect } } : {}),
        }),
      );
    else {
      if (dryRun) for (const item of plan) io.out(planLine(item));
      io.out(summaryLine(counts, dryRun, failed));
      if (dryRun) for (const item of redirectPlan) io.out(redirectPlanLine(item));
      if (shown) io.out(redirectSummaryLine(redirect.counts, dryRun, redirect.failed));
    }
    return failed + redirect.failed > 0 ? EXIT_FAILURE : EXIT_OK;
  },
};
