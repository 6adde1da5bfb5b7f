// The demo's per-session timeline (pure): what the simulated controller received, what the emulator delivered
// to the gateway, the dispense reports, merged by time and printed with the time since the scan and since the
// previous step, so a reader sees where the time goes.
import { moneyText } from '../money-text';
import type { ReceivedMessage, DispenseReportRecord } from './simulated-controller';
import type { DeliveryRecord } from './state';

export interface TimelineEntry {
  /** Epoch ms. */
  readonly at: number;
  readonly source: 'customer' | 'vipps' | 'lane' | 'controller';
  readonly text: string;
}

/** The demo's name for moneyText (src/money-text.ts). */
export const money = moneyText;

function amountOf(data: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const m = data[key] as { value?: unknown; currency?: unknown } | undefined;
  return typeof m?.value === 'number' ? money(m.value, String(m.currency ?? 'NOK')) : undefined;
}

/** One line of detail per lane message type: the amounts and reasons a controller acts on. */
export function describeMessage(m: ReceivedMessage['message']): string {
  const d = m.data;
  const parts = [m.type];
  const amount = amountOf(d, 'amount') ?? amountOf(d, 'maxAmount');
  if (amount) parts.push(m.type === 'session.authorized' ? `up to ${amount}` : amount);
  const captured = amountOf(d, 'capturedAmount');
  if (captured) parts.push(`captured ${captured}, released ${amountOf(d, 'cancelledAmount') ?? '-'}`);
  if (typeof d['reason'] === 'string') parts.push(`(${d['reason']})`);
  return parts.join('  ');
}

export function laneEntries(messages: readonly ReceivedMessage[], sessionId: string): TimelineEntry[] {
  const seen = new Set<string>();
  return messages
    .filter((r) => r.message.sessionId === sessionId && !seen.has(r.message.id) && seen.add(r.message.id))
    .map((r) => ({ at: Date.parse(r.receivedAt), source: 'lane', text: describeMessage(r.message) }));
}

/** The first attempt of each webhook Vipps (the emulator) sent the gateway for the payment. */
export function vippsEntries(deliveries: readonly DeliveryRecord[]): TimelineEntry[] {
  const seen = new Set<string>();
  return deliveries
    .filter((d) => !seen.has(d.webhookId) && seen.add(d.webhookId))
    .map((d) => ({
      at: Date.parse(d.at),
      source: 'vipps',
      text: `webhook ${d.event.replace(/^epayments\.payment\.(\w+)\.v1$/, 'payment.$1')} → gateway ${d.status ?? d.error ?? ''}`,
    }));
}

export function controllerEntries(
  reports: readonly DispenseReportRecord[],
  sessionId: string,
): TimelineEntry[] {
  return reports
    .filter((r) => r.sessionId === sessionId)
    .map((r) => ({
      at: Date.parse(r.at),
      source: 'controller',
      text: `reported ${r.result}${r.amount === undefined ? '' : ` ${money(r.amount)}`} → gateway ${r.status ?? r.error ?? ''}`,
    }));
}

/** `    +1512 ms  (+1480)  lane        session.completed …`, sorted by time from `t0`. */
export function formatTimeline(entries: readonly TimelineEntry[], t0: number): string[] {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  let previous = t0;
  return sorted.map((e) => {
    const since = `+${Math.max(0, e.at - t0)} ms`.padStart(10);
    const delta = `(+${Math.max(0, e.at - previous)})`.padEnd(9);
    previous = e.at;
    return `  ${since}  ${delta} ${e.source.padEnd(10)}  ${e.text}`;
  });
}
