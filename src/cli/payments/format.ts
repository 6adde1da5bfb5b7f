// How `payments list` prints: an aligned table for people, CSV and JSON for scripts.
import { moneyText } from '../../money-text';
import type { PaymentRow } from '../../settlement/payments-view';
import { alignedTable } from '../table';

export function money(value: number | null, currency: string): string {
  return value === null ? '-' : moneyText(value, currency);
}

export function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

const CSV_COLUMNS: readonly (keyof PaymentRow)[] = [
  'reference',
  'laneId',
  'sessionId',
  'currency',
  'sold',
  'authorized',
  'captured',
  'cancelled',
  'refunded',
  'status',
  'reason',
  'owed',
  'owedAmount',
  'createdAt',
  'ageS',
];

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Amounts in minor units, as the API carries them. */
export function paymentsCsv(rows: readonly PaymentRow[]): string {
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(','))].join(
    '\n',
  );
}

export function paymentsTable(rows: readonly PaymentRow[]): string {
  const head = [
    'REFERENCE',
    'LANE',
    'STATUS',
    'OWED',
    'SOLD',
    'AUTHORIZED',
    'CAPTURED',
    'CANCELLED',
    'REFUNDED',
    'AGE',
  ];
  const body = rows.map((r) => [
    r.reference,
    r.laneId,
    r.status === 'needs-attention' ? `needs-attention (${r.reason ?? '?'})` : r.status,
    r.owed ? `${r.owed} ${money(r.owedAmount, r.currency)}` : '-',
    money(r.sold, r.currency),
    money(r.authorized, r.currency),
    money(r.captured, r.currency),
    money(r.cancelled, r.currency),
    money(r.refunded, r.currency),
    age(r.ageS),
  ]);
  return alignedTable(head, body);
}
