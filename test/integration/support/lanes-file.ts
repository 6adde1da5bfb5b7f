// A lanes file of self-checkout lanes with a fixed price each (controller `{type: log}`: no controller has to
// report anything for a session to end), written to a temp directory the caller removes.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FixedPriceLane {
  readonly id: string;
  /** Minor units (NOK: at least 100). */
  readonly fixedAmount: number;
}

export function selfCheckoutLanesYaml(msn: string, lanes: readonly FixedPriceLane[]): string {
  const out = ['lanes:'];
  for (const lane of lanes) {
    out.push(
      `  - id: ${lane.id}`,
      '    kind: self-checkout',
      `    msn: '${msn}'`,
      `    description: integration ${lane.id}`,
      '    currency: NOK',
      `    fixedAmount: ${lane.fixedAmount}`,
      '    controller:',
      '      type: log',
    );
  }
  return `${out.join('\n')}\n`;
}

/** Writes the lanes to `<new temp dir>/lanes.yaml`; returns the directory and the file. */
export async function writeLanesFile(
  msn: string,
  lanes: readonly FixedPriceLane[],
): Promise<{ readonly dir: string; readonly file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-int-'));
  const file = path.join(dir, 'lanes.yaml');
  await writeFile(file, selfCheckoutLanesYaml(msn, lanes));
  return { dir, file };
}
