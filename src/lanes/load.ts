// Reads and validates a lanes file: YAML for .yaml/.yml, JSON for .json. Throws LanesFileError listing
// every problem; never returns a partial list.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LanesFileError } from './errors';
import type { Lane } from './lane';
import { type LanesFormat, parseLanesText } from './parse-lanes-text';
import { validateLanes } from './validate';

const FORMATS: Record<string, LanesFormat> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

export async function loadLanesFile(path: string): Promise<Lane[]> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format)
    throw new LanesFileError('LANES_FILE_UNREADABLE', path, [
      `unsupported file extension ${JSON.stringify(extname(path))}: use .yaml, .yml or .json`,
    ]);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new LanesFileError('LANES_FILE_UNREADABLE', path, [(e as Error).message]);
  }
  const parsed = parseLanesText(text, format);
  if (!parsed.ok) throw new LanesFileError('LANES_FILE_UNPARSABLE', path, parsed.errors);
  const result = validateLanes(parsed.doc);
  if (!result.ok) throw new LanesFileError('LANES_FILE_INVALID', path, result.errors);
  return result.lanes;
}
