// What the checks share, each part loaded once on first use: the configuration as the gateway would load it,
// the lanes file, and a Vipps client. A part that does not load is reported by its own check; any other check
// that needs it gets Unavailable and is skipped.
import { loadConfig, type Config } from '../../config';
import type { Env } from '../../config/env-parsers';
import type { Lane } from '../../lanes/lane';
import { loadLanesFile } from '../../lanes/load';
import { createLaneRegistry } from '../../lanes/registry';
import { createVippsClient, SANDBOX_CREDENTIALS, type VippsClient } from '../../vipps';
import { accessTokenRequest, type TokenResponse, type VippsCredentials } from '../../vipps/token';
import { Unavailable } from './check';

export type Loaded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface DoctorContext {
  readonly env: Env;
  /** loadConfig as the `all` role runs it (the strictest: webhook secrets and controller claims required). */
  loadConfig(): Loaded<Config>;
  /** The lanes file of LANES_FILE (or `--lanes`), validated as the gateway validates it at start. */
  loadLanes(): Promise<Loaded<{ readonly file: string; readonly lanes: readonly Lane[] }>>;
  /** The configuration, or Unavailable. */
  config(): Config;
  /** The lanes, or Unavailable. */
  lanes(): Promise<readonly Lane[]>;
  /** An access token for the configured credentials (vipps-protocol.md §5), asked for once. */
  obtainToken(): Promise<Loaded<TokenResponse>>;
  /** A client for the configured Vipps environment whose credentials obtain a token, or Unavailable. */
  vipps(): Promise<VippsClient>;
}

// A doctor run should answer within seconds: a Vipps that does not answer is itself the finding.
const VIPPS_TIMEOUTS = { timeoutMs: 5_000, deadlineMs: 10_000 } as const;

// Outside the sandbox loadConfig requires all three; the sandbox client fills any unset one the same way.
function credentialsOf(config: Config): VippsCredentials {
  const v = config.vipps;
  return {
    clientId: v.clientId || SANDBOX_CREDENTIALS.clientId,
    clientSecret: v.clientSecret || SANDBOX_CREDENTIALS.clientSecret,
    subscriptionKey: v.subscriptionKey || SANDBOX_CREDENTIALS.subscriptionKey,
  };
}

function memo<T>(load: () => T): () => T {
  let done: { value: T } | undefined;
  return () => (done ??= { value: load() }).value;
}

function attempt<T>(load: () => T): Loaded<T> {
  try {
    return { ok: true, value: load() };
  } catch (error) {
    return { ok: false, error };
  }
}

export function createDoctorContext(env: Env, options: { readonly lanesFile?: string } = {}): DoctorContext {
  const loadedConfig = memo(() => attempt(() => loadConfig(env, { servesControllerApi: true })));
  const lanesFile = (): string | undefined => {
    const loaded = loadedConfig();
    // A broken configuration still leaves the lanes file checkable when its path is known.
    return options.lanesFile ?? (loaded.ok ? loaded.value.lanesFile : env['LANES_FILE'] || undefined);
  };
  const loadedLanes = memo(async (): Promise<Loaded<{ file: string; lanes: readonly Lane[] }>> => {
    const file = lanesFile();
    if (file === undefined)
      throw new Unavailable('the lanes file path (LANES_FILE), which the configuration gives');
    try {
      return { ok: true, value: { file, lanes: createLaneRegistry(await loadLanesFile(file)).all() } };
    } catch (error) {
      return { ok: false, error };
    }
  });
  const config = (): Config => {
    const loaded = loadedConfig();
    if (!loaded.ok) throw new Unavailable('a configuration that loads');
    return loaded.value;
  };
  const client = memo(() => createVippsClient({ ...config().vipps, ...VIPPS_TIMEOUTS }));
  const obtainToken = memo(async (): Promise<Loaded<TokenResponse>> => {
    const request = accessTokenRequest(credentialsOf(config()));
    try {
      return { ok: true, value: await client().transport.execute(request) };
    } catch (error) {
      return { ok: false, error };
    }
  });
  return {
    env,
    loadConfig: loadedConfig,
    loadLanes: loadedLanes,
    config,
    async lanes() {
      const loaded = await loadedLanes();
      if (!loaded.ok) throw new Unavailable('a valid lanes file');
      return loaded.value.lanes;
    },
    obtainToken,
    async vipps() {
      // Without a token every call fails the same way: one failure (the token check's) says it.
      if (!(await obtainToken()).ok) throw new Unavailable('Vipps credentials that obtain an access token');
      return client();
    },
  };
}
