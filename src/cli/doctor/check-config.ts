// Configuration: every invalid or missing variable at once (ConfigErrors), as the gateway's `all` role would
// refuse to start with them.
import { ConfigError, ConfigErrors } from '../../config';
import { fail, ok, type DoctorCheck } from './check';

export const configCheck: DoctorCheck = {
  name: 'config',
  async run(ctx) {
    const loaded = ctx.loadConfig();
    if (loaded.ok) {
      const c = loaded.value;
      return ok(
        `loads (VIPPS_ENV=${c.vipps.env}, STORE=${c.store}, QUEUE=${c.queue}, LANES_FILE=${c.lanesFile})`,
      );
    }
    const e = loaded.error;
    if (e instanceof ConfigErrors)
      return fail(
        `${e.problems.length} invalid or missing variables: fix them in the gateway's environment`,
        e.problems.map((p) => p.message),
      );
    if (e instanceof ConfigError) return fail(`${e.message}: fix it in the gateway's environment`);
    throw e;
  },
};
