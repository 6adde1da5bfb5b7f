// `checkin-gateway payments list|show|settle|reconcile|refund` (issue 12): see and fix the money.
import { sha256Hex } from '../../hash';
import { REFUND_ID_PATTERN } from '../../settlement/refund-request';
import type { SettlementFilter } from '../../store/settlements-repo';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from '../command';
import { instant } from '../option-values';
import { withPayments } from './backend';
import { money, paymentsCsv, paymentsTable } from './format';

/** `--since`, `--until`, `--lane`: the range both `list` and `reconcile` take. */
const RANGE_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  lane: { type: 'string' },
} as const;

function rangeFilter(values: Record<string, unknown>): Pick<SettlementFilter, 'since' | 'until' | 'laneId'> {
  const since = instant(values, 'since');
  const until = instant(values, 'until');
  return {
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(typeof values['lane'] === 'string' ? { laneId: values['lane'] } : {}),
  };
}

function oneReference(positionals: string[], required: boolean): string | undefined {
  if (positionals.length > 1) throw new UsageError('give one payment reference');
  const [reference] = positionals;
  if (required && !reference) throw new UsageError('give the payment reference (see `payments list`)');
  return reference;
}

export const paymentsListCommand: Command = {
  name: 'payments list',
  summary: 'List payments with their amounts at Vipps and settlement state',
  usage: 'payments list [--outstanding] [--lane ID] [--since ISO] [--until ISO] [--json | --csv]',
  options: {
    ...RANGE_OPTIONS,
    outstanding: { type: 'boolean' },
    json: { type: 'boolean' },
    csv: { type: 'boolean' },
  },
  async run({ values }, io) {
    if (values['json'] && values['csv']) throw new UsageError('--json and --csv exclude each other');
    const filter = { ...rangeFilter(values), ...(values['outstanding'] ? { outstanding: true } : {}) };
    const rows = await withPayments(io.env, (api) => api.list(filter));
    if (values['json']) io.out(JSON.stringify(rows, null, 2));
    else if (values['csv']) io.out(paymentsCsv(rows));
    else io.out(rows.length === 0 ? 'no payments' : paymentsTable(rows));
    return EXIT_OK;
  },
};

export const paymentsShowCommand: Command = {
  name: 'payments show',
  summary: "One payment's whole timeline: session steps, every Vipps call and answer, lane messages",
  usage: 'payments show <reference> [--json]',
  options: { json: { type: 'boolean' } },
  async run({ values, positionals }, io) {
    const reference = oneReference(positionals, true) as string;
    const detail = await withPayments(io.env, (api) => api.show(reference));
    if (!detail) {
      io.err(`no payment ${reference}`);
      return EXIT_FAILURE;
    }
    if (values['json']) {
      io.out(JSON.stringify(detail, null, 2));
      return EXIT_OK;
    }
    const p = detail.payment;
    io.out(
      [
        `payment ${p.reference}  lane ${p.laneId}  session ${p.sessionId}`,
        `settlement: ${p.status}${p.reason ? ` (${p.reason})` : ''}${p.owed ? `, owes ${p.owed} ${money(p.owedAmount, p.currency)}` : ''}`,
        `sold ${money(p.sold, p.currency)}; at Vipps: authorized ${money(p.authorized, p.currency)}, captured ${money(p.captured, p.currency)}, cancelled ${money(p.cancelled, p.currency)}, refunded ${money(p.refunded, p.currency)}`,
        ...detail.settlement.refunds.map(
          (r) =>
            `refund ${r.id}: ${money(r.amount, p.currency)} ${r.confirmedAt ? `confirmed ${r.confirmedAt}` : 'owed'} (${r.requestedBy})`,
        ),
        '',
        ...detail.timeline.map((t) => {
          const fields = Object.entries(t.detail)
            .filter(([, v]) => v !== null && v !== '')
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ');
          return `${t.at}  ${t.source.padEnd(12)}  ${t.what}${fields ? `  ${fields}` : ''}`;
        }),
      ].join('\n'),
    );
    return EXIT_OK;
  },
};

export const paymentsSettleCommand: Command = {
  name: 'payments settle',
  summary: 'Run due settlement work now (one payment, or every open one)',
  usage: 'payments settle [<reference>]',
  async run({ positionals }, io) {
    const reference = oneReference(positionals, false);
    const r = await withPayments(io.env, (api) => api.settle(reference));
    if (reference && r.due === 0) {
      io.err(`no payment ${reference}`);
      return EXIT_FAILURE;
    }
    const pass = r.pass
      ? `; worked ${r.pass.worked}: ${r.pass.settled} settled, ${r.pass.needsAttention} need attention`
      : '; the workers take it on their next pass';
    io.out(`made ${r.due} settlement(s) due now${pass}`);
    return EXIT_OK;
  },
};

export const paymentsReconcileCommand: Command = {
  name: 'payments reconcile',
  summary: 'Compare the local ledger with Vipps for every payment in range; exit 1 on any difference',
  usage: 'payments reconcile [--since ISO] [--until ISO] [--lane ID] [--json]',
  options: { ...RANGE_OPTIONS, json: { type: 'boolean' } },
  async run({ values }, io) {
    const range = rangeFilter(values);
    const report = await withPayments(io.env, (api) => api.reconcile(range));
    if (values['json']) io.out(JSON.stringify(report, null, 2));
    else {
      for (const d of report.differences)
        io.out(
          `DIFFERENCE ${d.reference} lane ${d.laneId} (${d.status}): ${d.field} local ${d.local}, Vipps ${d.vipps}`,
        );
      io.out(
        `checked ${report.checked} payment(s): ${report.differences.length} difference(s), ${report.inProgress.length} still settling`,
      );
    }
    return report.differences.length > 0 ? EXIT_FAILURE : EXIT_OK;
  },
};

export const paymentsRefundCommand: Command = {
  name: 'payments refund',
  summary: 'Refund part or all of a captured payment (asks to confirm unless --yes)',
  usage:
    'payments refund <reference> --amount N [--reason TEXT] [--refund-id ID] [--yes]   (N in minor units: 2500 = 25.00)',
  options: {
    amount: { type: 'string' },
    reason: { type: 'string' },
    'refund-id': { type: 'string' },
    yes: { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    const reference = oneReference(positionals, true) as string;
    const amountText = values['amount'];
    if (typeof amountText !== 'string' || !/^[1-9]\d{0,9}$/.test(amountText))
      throw new UsageError('--amount must be a positive integer of minor units (2500 = 25.00 NOK)');
    const amount = Number(amountText);
    const reason = typeof values['reason'] === 'string' ? values['reason'] : null;
    const given = values['refund-id'];
    if (given !== undefined && (typeof given !== 'string' || !REFUND_ID_PATTERN.test(given)))
      throw new UsageError('--refund-id must be 1-64 of A-Z a-z 0-9 . _ : -');
    // Derived, so running the same command twice refunds once; pass --refund-id for a second, equal refund.
    const refundId =
      (given as string | undefined) ??
      `cli-${sha256Hex(`${reference}|${amount}|${reason ?? ''}`).slice(0, 16)}`;
    return withPayments(io.env, async (api) => {
      const detail = await api.show(reference);
      if (!detail) {
        io.err(`no payment ${reference}`);
        return EXIT_FAILURE;
      }
      const p = detail.payment;
      if (!values['yes']) {
        const answer = io.ask
          ? await io.ask(
              `Refund ${money(amount, p.currency)} of payment ${reference} (lane ${p.laneId}, sold ${money(p.sold, p.currency)})? [y/N] `,
            )
          : '';
        if (!/^y(es)?$/i.test(answer.trim())) {
          io.err('not refunded (pass --yes to skip the question)');
          return EXIT_FAILURE;
        }
      }
      const r = await api.refund(reference, { refundId, amount, reason });
      (r.kind === 'accepted' || r.kind === 'duplicate' ? io.out : io.err)(
        `${r.kind}: ${r.detail} (refund id ${refundId})`,
      );
      return r.kind === 'accepted' || r.kind === 'duplicate' ? EXIT_OK : EXIT_FAILURE;
    });
  },
};

export const paymentsCommands: readonly Command[] = [
  paymentsListCommand,
  paymentsShowCommand,
  paymentsSettleCommand,
  paymentsReconcileCommand,
  paymentsRefundCommand,
];
