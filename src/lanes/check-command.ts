// `checkin-gateway lanes check [FILE]`: validate a lanes file without starting the gateway (the CLI wiring
// passes the file, defaulting to LANES_FILE). Exit code 0 when valid, 1 with every problem otherwise. Given
// the operator's environment, it also checks what the channels need from it (webhook secrets set and
// well-formed, sqs queues FIFO), since that is the environment the gateway will be started in.
import { simulatedLaneProblems } from '../channels/simulated-channel';
import { credentialsCheckProblems } from '../vipps/credentials';
import { channelEnvironmentProblems } from './check-channels';
import { countErrors, LANES_FILE_FAILURE, LanesFileError } from './errors';
import { loadLanesFile } from './load';
import { createLaneRegistry } from './registry';
import { pairingLines } from './pairings-explained';
import { lanesWithoutPayPage } from './pay-page-lanes';

export type CheckEnv = Readonly<Record<string, string | undefined>>;

export async function checkLanesFile(
  path: string,
  env?: CheckEnv,
): Promise<{ exitCode: 0 | 1; output: string }> {
  try {
    const lanes = createLaneRegistry(await loadLanesFile(path)).all();
    const problems = env
      ? [
          ...channelEnvironmentProblems(lanes, (name) => env[name]),
          // VIPPS_ENV as config.ts defaults it: a simulated lane only works in the sandbox.
          ...simulatedLaneProblems(lanes, (env['VIPPS_ENV'] ?? 'sandbox') === 'sandbox'),
        ]
      : [];
    if (problems.length > 0) throw new LanesFileError('LANES_CHANNELS_UNUSABLE', path, problems);
    // Every lane's MSN needs credentials when VIPPS_CREDENTIALS_FILE gives them per sales unit.
    const uncredentialed = env ? credentialsCheckProblems(lanes, env) : [];
    if (uncredentialed.length > 0)
      throw new LanesFileError('LANES_CREDENTIALS_MISSING', path, uncredentialed);
    // PUBLIC_BASE_URL defaults to the gateway's own URL only in the sandbox.
    const payPageKnown =
      !env || (env['VIPPS_ENV'] ?? 'sandbox') === 'sandbox' || (env['PUBLIC_BASE_URL'] ?? '') !== '';
    const pageless = lanesWithoutPayPage(lanes, payPageKnown);
    if (pageless.length > 0) throw new LanesFileError('LANES_PUBLIC_BASE_URL_MISSING', path, pageless);
    const vending = lanes.filter((l) => l.kind === 'vending').length;
    return {
      exitCode: 0,
      output: [
        `ok: ${lanes.length} lanes (${vending} vending, ${lanes.length - vending} self-checkout) in ${path}`,
        ...pairingLines(lanes),
      ].join('\n'),
    };
  } catch (e) {
    if (!(e instanceof LanesFileError)) throw e;
    const head = `error: ${path} ${LANES_FILE_FAILURE[e.code]} (${countErrors(e.errors.length)}):`;
    return { exitCode: 1, output: [head, ...e.errors.map((err) => `  ${err}`)].join('\n') };
  }
}
