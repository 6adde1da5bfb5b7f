// Vipps credentials: the configured client id, secret and subscription key obtain an access token
// (vipps-protocol.md §5). The token itself is never shown.
import type { Config } from '../../config';
import { VippsApiError } from '../../vipps';
import { laneCredentialProblems } from '../../vipps/credentials';
import { fail, ok, Unavailable, type DoctorCheck } from './check';
import type { DoctorContext } from './context';

// An answer from Vipps carries its own hint (a 401 names the credential variables); no answer at all means
// the other end is not there.
function unreachableHint(config: Config): string {
  if (config.vipps.env !== 'sandbox')
    return `is ${config.vipps.baseUrl} reachable from here (network, proxy, firewall)?`;
  return config.vipps.embeddedEmulator
    ? `is the gateway running? Its emulator listens on EMULATOR_PORT (${config.emulatorPort})`
    : 'is the emulator at VIPPS_BASE_URL running?';
}

/** Lanes whose MSN the credentials file misses (none to say when the lanes file is itself broken). */
async function uncoveredLanes(ctx: DoctorContext, config: Config): Promise<string[]> {
  const file = config.vipps.credentialsFile;
  if (file === undefined) return [];
  try {
    return laneCredentialProblems(await ctx.lanes(), config.vipps.credentialSets, file);
  } catch (e) {
    if (e instanceof Unavailable) return [];
    throw e;
  }
}

function failure(error: unknown, config: Config): string {
  if (!(error instanceof Error)) return String(error);
  return error instanceof VippsApiError ? error.message : `${error.message}; ${unreachableHint(config)}`;
}

export const vippsTokenCheck: DoctorCheck = {
  name: 'vipps-token',
  async run(ctx) {
    const config = ctx.config();
    const base = config.vipps.baseUrl;
    const attempts = await ctx.obtainTokens();
    const [single] = attempts;
    if (attempts.length === 1 && single && single.label === undefined) {
      if (!single.result.ok)
        return fail(`no access token from ${base}: ${failure(single.result.error, config)}`);
      const s = single.result.value.expiresInS;
      return ok(
        `the credentials obtain an access token from ${base}${s === undefined ? '' : ` (valid ${s} s)`}`,
      );
    }
    // VIPPS_CREDENTIALS_FILE: one line per set that gets no token, and per lane whose MSN has no set.
    const noToken = attempts.flatMap((t) =>
      t.result.ok ? [] : [`${t.label ?? 'credentials'}: ${failure(t.result.error, config)}`],
    );
    const uncovered = await uncoveredLanes(ctx, config);
    if (noToken.length + uncovered.length > 0)
      return fail(
        `VIPPS_CREDENTIALS_FILE: ${noToken.length} of ${attempts.length} credential sets obtain no access token ` +
          `from ${base}; ${uncovered.length} lane(s) have no credential set`,
        [...noToken, ...uncovered],
      );
    return ok(
      `all ${attempts.length} credential sets of VIPPS_CREDENTIALS_FILE obtain an access token from ${base}`,
    );
  },
};
