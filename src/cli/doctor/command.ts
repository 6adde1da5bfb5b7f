// `checkin-gateway doctor`: is this installation able to take check-ins? Configuration, lanes file, channels,
// Vipps credentials, webhook registrations and QR codes, one line each; exit 1 when any check fails.
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from '../command';
import { jsonOption, lanesOption } from '../vipps-cli';
import { doctorChecks } from './checks';
import { createDoctorContext } from './context';
import { outcomeText, runChecks } from './run-checks';

export const doctorCommand: Command = {
  name: 'doctor',
  summary:
    'Check configuration, lanes, channels, Vipps credentials, webhooks and QR codes; exit 1 on a failure',
  usage:
    'doctor [--lanes FILE] [--json]\n\n' +
    '  --lanes  default LANES_FILE\n' +
    '  --json   print {ok, checks: [{name, status, detail, problems?}]}; status is ok, warn, fail or skip\n\n' +
    'One line per check: ok, warn (works, but look), FAIL (with what to do) or skip (needs a part that failed).',
  options: { ...lanesOption, ...jsonOption },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const lanesFile = typeof values['lanes'] === 'string' ? values['lanes'] : undefined;
    const ctx = createDoctorContext(io.env, lanesFile === undefined ? {} : { lanesFile });
    const json = values['json'] === true;
    // Text lines print as each check ends: a slow Vipps call shows where the run is.
    const outcomes = await runChecks(doctorChecks, ctx, json ? undefined : (o) => io.out(outcomeText(o)));
    const healthy = !outcomes.some((o) => o.status === 'fail');
    if (json) io.out(JSON.stringify({ ok: healthy, checks: outcomes }));
    else {
      const failed = outcomes.filter((o) => o.status === 'fail').length;
      io.out(healthy ? 'doctor: all checks passed' : `doctor: ${failed} of ${outcomes.length} checks failed`);
    }
    return healthy ? EXIT_OK : EXIT_FAILURE;
  },
};
