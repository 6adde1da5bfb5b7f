// What the Vipps operator commands (`webhooks *`, `qr *`) share: the config they run under, a client for the
// configured Vipps environment (VIPPS_ENV), the lanes file they act on and the MSN a webhook belongs to.
import { loadConfig, type Config } from '../config';
import { LanesFileError } from '../lanes/errors';
import type { Lane } from '../lanes/lane';
import { loadLanesFile } from '../lanes/load';
import { createVippsClient, type VippsClient } from '../vipps';
import { UsageError, type Io } from './command';

export interface VippsCli {
  readonly config: Config;
  readonly client: VippsClient;
}

export function openVippsCli(io: Io): VippsCli {
  // These commands never verify a delivery, and `webhooks register` is how the first secret is obtained.
  const config = loadConfig(io.env, { requireWebhookSecrets: false });
  const client = createVippsClient(config.vipps);
  return { config, client };
}

export const lanesOption = { lanes: { type: 'string' } } as const;
export const msnOption = { msn: { type: 'string' } } as const;
export const jsonOption = { json: { type: 'boolean' } } as const;

/** `--lanes FILE`, default LANES_FILE. */
export function loadCliLanes(config: Config, values: Record<string, unknown>): Promise<Lane[]> {
  const file = typeof values['lanes'] === 'string' ? values['lanes'] : config.lanesFile;
  return loadLanesFile(file);
}

/** The distinct MSNs of the lanes, in file order. */
export function msnsOf(lanes: readonly Lane[]): string[] {
  return [...new Set(lanes.map((l) => l.msn))];
}

/**
 * Webhooks are registered per sales unit (vipps-protocol.md §2): `--msn`, else the lanes file's only MSN.
 * A file with several MSNs needs `--msn`, so one command never silently picks one of them.
 */
export async function resolveWebhookMsn(config: Config, values: Record<string, unknown>): Promise<string> {
  const given = values['msn'];
  if (typeof given === 'string') {
    if (!/^[0-9]{4,7}$/.test(given))
      throw new UsageError(`--msn must be 4-7 digits, got ${JSON.stringify(given)}`);
    return given;
  }
  let msns: string[];
  try {
    msns = msnsOf(await loadCliLanes(config, values));
  } catch (e) {
    if (!(e instanceof LanesFileError)) throw e;
    throw new UsageError(`pass --msn, or fix the lanes file: ${e.message}`);
  }
  const [only] = msns;
  if (only === undefined || msns.length > 1)
    throw new UsageError(
      `the lanes file has ${msns.length === 0 ? 'no MSN' : `several MSNs (${msns.join(', ')})`}: pass --msn`,
    );
  return only;
}
