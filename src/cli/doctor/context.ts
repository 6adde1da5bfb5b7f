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
  /**
   * An access token for each configured credential set (vipps-protocol.md §5): the single set of
   * VIPPS_CLIENT_ID…, or each sales unit's / the partner's of VIPPS_CREDENTIALS_FILE. Asked for once.
   */
  obtainTokens(): Promise<readonly TokenAttempt[]>;
  /** A client for the configured Vipps environment whose credentials obtain a token, or Unavailable. */
  vipps(): Promise<VippsClient>;
}

export interface TokenAttempt {
  /** `salesUnits.123456`, `partner`, or undefined for the single set. */
  readonly label: string | undefined;
  readonly result: Loaded<TokenResponse>;
}

// A doctor run should answer within seconds: a Vipps that does not answer is itself the finding.
const VIPPS_TIMEOUTS = { timeoutMs: 5_000, deadlineMs: 10_000 } as const;

interface CredentialTarget {
  readonly label: string | undefined;
  readonly credentials: VippsCredentials;
  readonly msn?: string;
}

/** What to ask a token for: each set of VIPPS_CREDENTIALS_FILE (with one of its MSNs), else the single set. */
function credentialTargets(config: Config): CredentialTarget[] {
  const v = config.vipps;
  if (v.credentialSets.length > 0)
    return v.credentialSets.map((set) => ({
      label: set.label,
      credentials: set.credentials,
      ...(set.msns[0] === undefined ? {} : { msn: set.msns[0] }),
    }));
  // Outside the sandbox loadConfig requires all three; the sandbox client fills an unset one the same way.
  const fallback =
    v.env === 'sandbox' ? SANDBOX_CREDENTIALS : { clientId: '', clientSecret: '', subscriptionKey: '' };
  return [
    {
      label: undefined,
      credentials: {
        clientId: v.clientId || fallback.clientId,
        clientSecret: v.clientSecret || fallback.clientSecret,
        subscriptionKey: v.subscriptionKey || fallback.subscriptionKey,
      },
    },
  ];
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
  const obtainTokens = memo(async (): Promise<readonly TokenAttempt[]> =>
    Promise.all(
      credentialTargets(config()).map(async ({ label, credentials, msn }): Promise<TokenAttempt> => {
        try {
          const value = await client().transport.execute(accessTokenRequest(credentials, msn));
          return { label, result: { ok: true, value } };
        } catch (error) {
          return { label, result: { ok: false, error } };
        }
      }),
    ),
  );
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
    obtainTokens,
    async vipps() {
      // Without a token every call fails the same way: one failure (the token check's) says it.
      if ((await obtainTokens()).some((t) => !t.result.ok))
        throw new Unavailable('Vipps credentials that obtain an access token');
      return client();
    },
  };
}
