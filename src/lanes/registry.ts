// The in-memory lane registry (architecture §2): built once per (re)load and swapped whole, never mutated.
// (msn, merchantQrId) uses nested maps, so no separator can make two pairs collide and a lookup allocates
// nothing. Check-in values come from the network; a miss is simply undefined.
import { LaneRegistryConflictError } from './errors';
import type { IndexedLaneRegistry, Lane } from './lane';
import { laneRefKey, refKeyOfReference } from './reference-key';

export { laneRefKey } from './reference-key';

export function createLaneRegistry(lanes: readonly Lane[]): IndexedLaneRegistry {
  const byId = new Map<string, Lane>();
  const byRefKey = new Map<string, Lane>();
  const byMsn = new Map<string, Map<string, Lane>>();
  for (const lane of lanes) {
    if (byId.has(lane.id)) throw new LaneRegistryConflictError(`duplicate id ${JSON.stringify(lane.id)}`);
    byId.set(lane.id, lane);
    const refKey = laneRefKey(lane.id);
    if (byRefKey.has(refKey)) throw new LaneRegistryConflictError(`reference key ${refKey} of ${lane.id}`);
    byRefKey.set(refKey, lane);
    let qrs = byMsn.get(lane.msn);
    if (!qrs) byMsn.set(lane.msn, (qrs = new Map()));
    if (qrs.has(lane.merchantQrId))
      throw new LaneRegistryConflictError(`duplicate QR ${lane.msn}/${lane.merchantQrId}`);
    qrs.set(lane.merchantQrId, lane);
  }
  const all = Object.freeze([...lanes]);
  return Object.freeze({
    byQr: (msn: string, merchantQrId: string) => byMsn.get(msn)?.get(merchantQrId),
    byId: (id: string) => byId.get(id),
    byRefKey: (refKey: string) => byRefKey.get(refKey),
    laneIdForReference(reference: string) {
      const refKey = refKeyOfReference(reference);
      return refKey === undefined ? undefined : byRefKey.get(refKey)?.id;
    },
    all: () => all,
    size: all.length,
  });
}
