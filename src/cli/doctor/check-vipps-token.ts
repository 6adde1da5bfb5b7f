// Vipps credentials: the configured client id, secret and subscription key obtain an access token
// (vipps-protocol.md §5). The token itself is never shown.
import type { Config } from '../../config';
import { VippsApiError } from '../../vipps';
import { fail, ok, type DoctorCheck } from './check';

// An answer from Vipps carries its own hint (a 401 names the credential variables); no answer at all means
// the other end is not there.
function unreachableHint(config: Config): string {
  if (config.vipps.env !== 'sandbox')
    return `is ${config.vipps.baseUrl} reachable from here (network, proxy, firewall)?`;
  return config.vipps.embeddedEmulator
    ? `is the gateway running? Its emulator listens on EMULATOR_PORT (${config.emulatorPort})`
    : 'is the emulator at VIPPS_BASE_URL running?';
}

export const vippsTokenCheck: DoctorCheck = {
  name: 'vipps-token',
  async run(ctx) {
    const config = ctx.config();
    const base = config.vipps.baseUrl;
    const token = await ctx.obtainToken();
    if (token.ok) {
      const life = token.value.expiresInS === undefined ? '' : ` (valid ${token.value.expiresInS} s)`;
      return ok(`the credentials obtain an access token from ${base}${life}`);
    }
    const e = token.error;
    if (!(e instanceof Error)) throw e;
    const hint = e instanceof VippsApiError ? '' : `; ${unreachableHint(config)}`;
    return fail(`no access token from ${base}: ${e.message}${hint}`);
  },
};
