import { loadConfig } from '../config';
import { checkLanesFile } from '../lanes/check-command';
import type { Command } from './command';

export const lanesCheckCommand: Command = {
  name: 'lanes check',
  summary: 'Validate a lanes file (default: LANES_FILE) and print every error',
  usage: 'lanes check [FILE]',
  async run({ positionals }, io) {
    const file = positionals[0] ?? loadConfig(io.env).lanesFile;
    const result = await checkLanesFile(file);
    (result.exitCode === 0 ? io.out : io.err)(result.output);
    return result.exitCode;
  },
};
