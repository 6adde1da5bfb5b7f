// `checkin-gateway lanes check [FILE]`: validate a lanes file without starting the gateway (the CLI wiring
// passes the file, defaulting to LANES_FILE). Exit code 0 when valid, 1 with every problem otherwise.
import { countErrors, LANES_FILE_FAILURE, LanesFileError } from './errors';
import { loadLanesFile } from './load';
import { createLaneRegistry } from './registry';

export async function checkLanesFile(path: string): Promise<{ exitCode: 0 | 1; output: string }> {
  try {
    const lanes = createLaneRegistry(await loadLanesFile(path)).all();
    const vending = lanes.filter((l) => l.kind === 'vending').length;
    return {
      exitCode: 0,
      output: `ok: ${lanes.length} lanes (${vending} vending, ${lanes.length - vending} self-checkout) in ${path}`,
    };
  } catch (e) {
    if (!(e instanceof LanesFileError)) throw e;
    const head = `error: ${path} ${LANES_FILE_FAILURE[e.code]} (${countErrors(e.errors.length)}):`;
    return { exitCode: 1, output: [head, ...e.errors.map((err) => `  ${err}`)].join('\n') };
  }
}
