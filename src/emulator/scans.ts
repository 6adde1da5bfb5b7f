// A simulated customer scanning a merchant callback QR: the emulator issues a customerToken bound to the MSN
// (valid 15 minutes, §3), remembers what the customer will do with the push, and sends `user.checked-in.v1`.
import type { EmulatorContext } from './context';
import type { CustomerBehavior } from './state';
import { qrKey } from './state';
import { issueCustomerToken } from './tokens';

export interface ScanInput {
  readonly msn: string;
  readonly merchantQrId: string;
  readonly behavior?: CustomerBehavior;
}

export interface ScanResult {
  readonly customerToken: string;
  readonly initiatedAt: string;
}

export class UnknownQrError extends Error {
  readonly code = 'emulator.qr-not-found';
  constructor() {
    super(
      'No merchant callback QR with this merchantQrId exists for this MSN (the emulator runs with strictQr).',
    );
  }
}

let lastMs = 0;
let subMs = 0;

/**
 * `2023-10-06T10:45:40.3061965Z`: 7 fractional digits like real Vipps (§3). The digits past the millisecond
 * count scans within the same millisecond, so two scans never share an `initiatedAt` (consumers dedupe on it).
 */
export function initiatedAtOf(at: Date): string {
  const ms = at.getTime();
  subMs = ms === lastMs ? (subMs + 1) % 10_000 : 0;
  lastMs = ms;
  return at.toISOString().replace(/Z$/, `${String(subMs).padStart(4, '0')}Z`);
}

export function simulateScan(ctx: EmulatorContext, input: ScanInput): ScanResult {
  if (ctx.settings.strictQr && !ctx.state.qrs.has(qrKey(input.msn, input.merchantQrId)))
    throw new UnknownQrError();
  const behavior = input.behavior ?? { action: 'approve' };
  const customerToken = issueCustomerToken(ctx, input.msn, input.merchantQrId, behavior);
  const initiatedAt = initiatedAtOf(ctx.clock.now());
  ctx.events.emit('scan', { msn: input.msn, merchantQrId: input.merchantQrId, initiatedAt });
  ctx.publish('user.checked-in.v1', input.msn, {
    customerToken,
    merchantQrId: input.merchantQrId,
    msn: input.msn,
    initiatedAt,
  });
  return { customerToken, initiatedAt };
}
