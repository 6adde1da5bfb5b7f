// The emulator's world kept in a file (issue 13): an embedded sandbox restarted on the same DATA_DIR finds the
// payments, customer tokens, QR codes, webhook registrations, merchant settings and stored idempotent answers
// it had, so a session its database remembers continues instead of reading 404 for ten minutes. Deliveries,
// rate windows and faults are test aids of one run and are not kept. Written whole and atomically (a temporary
// file renamed over the old one), at most once per `debounceMs` (default 1 s) after a change: a benchmark's
// thousands of payments make the file megabytes, so a busy emulator writes it once a second, not per request.
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { Logger } from '../log';
import type { EmulatorContext } from './context';
import type {
  CustomerToken,
  EmulatorState,
  MerchantCallbackQr,
  MerchantRedirectQr,
  MerchantSettings,
  Payment,
  SimulatedCustomer,
  StoredResponse,
  WebhookRegistration,
} from './state';

const VERSION = 1;

interface StateFileV1 {
  readonly version: typeof VERSION;
  readonly savedAt: string;
  readonly payments: [string, Payment][];
  readonly customerTokens: [string, CustomerToken][];
  readonly qrs: [string, MerchantCallbackQr][];
  /** Absent in files written before merchant-redirect QRs existed. */
  readonly redirectQrs?: [string, MerchantRedirectQr][];
  /** Absent in files written before simulated customers existed (issue 16). */
  readonly customers?: [string, SimulatedCustomer][];
  readonly webhooks: [string, WebhookRegistration][];
  readonly merchants: [string, MerchantSettings][];
  readonly idempotency: [string, StoredResponse][];
}

export function snapshotState(state: EmulatorState, now: Date): StateFileV1 {
  return {
    version: VERSION,
    savedAt: now.toISOString(),
    payments: [...state.payments],
    customerTokens: [...state.customerTokens],
    qrs: [...state.qrs],
    redirectQrs: [...state.redirectQrs],
    customers: [...state.customers],
    webhooks: [...state.webhooks],
    merchants: [...state.merchants],
    idempotency: [...state.idempotency],
  };
}

/**
 * Fills `state` from the file; returns false when there is none. A file that cannot be read as this version is
 * reported and left in place (renamed aside would hide it): the emulator then starts empty.
 */
export function loadStateFile(file: string, state: EmulatorState, logger: Logger): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  let saved: StateFileV1;
  try {
    saved = JSON.parse(text) as StateFileV1;
    if (saved.version !== VERSION) throw new Error(`version ${String(saved.version)}, expected ${VERSION}`);
  } catch (err) {
    logger.warn('emulator: the saved state cannot be read; starting with an empty emulator', {
      file,
      error: err instanceof Error ? err.message : String(err),
      fix: 'delete the file to silence this warning (its payments are lost either way)',
    });
    return false;
  }
  for (const [k, v] of saved.payments) state.payments.set(k, v);
  for (const [k, v] of saved.customerTokens) state.customerTokens.set(k, v);
  for (const [k, v] of saved.qrs) state.qrs.set(k, v);
  for (const [k, v] of saved.redirectQrs ?? []) state.redirectQrs.set(k, v);
  for (const [k, v] of saved.customers ?? []) state.customers.set(k, v);
  for (const [k, v] of saved.webhooks) state.webhooks.set(k, v);
  for (const [k, v] of saved.merchants) state.merchants.set(k, v);
  for (const [k, v] of saved.idempotency) state.idempotency.set(k, v);
  return true;
}

export interface StateSaver {
  /** Something changed: save within `debounceMs`. */
  changed(): void;
  /** Saves now if anything changed, and stops saving. */
  close(): Promise<void>;
}

export function createStateSaver(o: {
  file: string;
  state: EmulatorState;
  now: () => Date;
  logger: Logger;
  debounceMs?: number;
}): StateSaver {
  const debounceMs = o.debounceMs ?? 1000;
  const tmp = `${o.file}.tmp`;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const write = async (): Promise<void> => {
    try {
      await writeFile(tmp, JSON.stringify(snapshotState(o.state, o.now())));
      await rename(tmp, o.file);
    } catch (err) {
      o.logger.warn('emulator: could not save its state; a restart may lose recent payments', {
        file: o.file,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  };
  const flush = (): void => {
    timer = undefined;
    // One write at a time, in order: the last one always holds the newest state.
    writing = writing.then(write);
  };

  return {
    changed() {
      if (closed || timer) return;
      timer = setTimeout(flush, debounceMs);
      timer.unref();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) {
        clearTimeout(timer);
        flush();
      }
      await writing;
    },
  };
}

/** Loads `file` into the emulator's state (logging what it continues from) and returns its saver. */
export function openStateFile(
  file: string,
  ctx: Pick<EmulatorContext, 'state' | 'clock' | 'logger'>,
  debounceMs: number | undefined,
): StateSaver {
  if (loadStateFile(file, ctx.state, ctx.logger)) {
    ctx.logger.info('emulator: continuing from its saved state', {
      file,
      payments: ctx.state.payments.size,
      webhooks: ctx.state.webhooks.size,
    });
  }
  return createStateSaver({
    file,
    state: ctx.state,
    now: () => ctx.clock.now(),
    logger: ctx.logger,
    ...(debounceMs === undefined ? {} : { debounceMs }),
  });
}
