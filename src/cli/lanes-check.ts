import { loadConfig } from '../config';
import { checkLanesFile } from '../lanes/check-command';
import type { Command } from './command';

export const lanesCheckCommand: Command = {
  name: 'lanes check',
  summary:
    'Validate a lanes file (default: LANES_FILE) and the environment its channels need; print every error',
  usage: 'lanes check [--file-only] [FILE]',
  options: { 'file-only': { type: 'boolean' } },
  async run({ values, positionals }, io) {
    const file = positionals[0] ?? loadConfig(io.env).lanesFile;
    // --file-only: CI checks a file without the production secrets; the gateway's own start still checks them.
    const result = await checkLanesFile(file, values['file-only'] === true ? undefined : io.env);
    (result.exitCode === 0 ? io.out : io.err)(result.output);
    return result.exitCode;
  },
};
