// The lanes file: readable, parsable and valid, as the gateway checks it at start and on SIGHUP.
import { countErrors, LANES_FILE_FAILURE, LanesFileError } from '../../lanes/errors';
import { fail, ok, type DoctorCheck } from './check';

export const lanesCheck: DoctorCheck = {
  name: 'lanes',
  async run(ctx) {
    const loaded = await ctx.loadLanes();
    if (loaded.ok) {
      const { file, lanes } = loaded.value;
      const vending = lanes.filter((l) => l.kind === 'vending').length;
      return ok(
        `${lanes.length} lanes (${vending} vending, ${lanes.length - vending} self-checkout) in ${file}`,
      );
    }
    const e = loaded.error;
    if (!(e instanceof LanesFileError)) throw e;
    return fail(
      `${e.path} ${LANES_FILE_FAILURE[e.code]} (${countErrors(e.errors.length)}): fix the file`,
      e.errors,
    );
  },
};
