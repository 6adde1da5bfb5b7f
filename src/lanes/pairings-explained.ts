// `lanes check` explains what each pairing the file offers needs (issue 16), one line per pairing in use.
import { lanePairings, PAIRINGS, type Lane } from './lane';
import { PAIRING_NEEDS } from './validate-pairings';

// Said only when a lane lists its pairings: a file of callback stickers alone reads as it always did.
export function pairingLines(lanes: readonly Lane[]): string[] {
  if (!lanes.some((lane) => lane.pairings !== undefined)) return [];
  const counts = new Map<string, number>();
  for (const lane of lanes) for (const p of lanePairings(lane)) counts.set(p, (counts.get(p) ?? 0) + 1);
  return PAIRINGS.filter((p) => counts.has(p)).map((p) => {
    const n = counts.get(p) as number;
    return `  ${p} (${n} ${n === 1 ? 'lane' : 'lanes'}): needs ${PAIRING_NEEDS[p]}`;
  });
}
