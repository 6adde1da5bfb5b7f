// Validates a parsed lanes file (architecture §2). Pure; collects every problem rather than stopping at
// the first, so an operator fixes a file in one pass. Each message names the lane and the field:
//   lane "vend-1" (#3): maxAmount: expected an integer number of minor units ≥ 100 for NOK, got 12.5
import type { Lane } from './lane';
import { laneRefKey } from './reference-key';
import { describe, fieldName, isRecord } from './validate-fields';
import { laneLabel, type LaneResult, validateLane } from './validate-lane';

export type LanesValidation = { ok: true; lanes: Lane[] } | { ok: false; errors: string[] };

/** Accepts `{lanes: [...]}` (plus ignored `x-…` keys) or a bare list of lanes. */
export function validateLanes(doc: unknown): LanesValidation {
  const errors: string[] = [];
  const entries = topLevelList(doc, errors);
  if (!entries) return { ok: false, errors };

  const results = entries.map((raw, i) => validateLane(raw, i, errors));
  checkUnique(results, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, lanes: results.map((r) => r.lane as Lane) };
}

function topLevelList(doc: unknown, errors: string[]): readonly unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (!isRecord(doc)) {
    errors.push(`expected a mapping with a "lanes" list (or a bare list of lanes), got ${describe(doc)}`);
    return undefined;
  }
  // `x-…` keys are ignored (as in Compose files) so YAML anchors for shared settings have a home.
  for (const key of Object.keys(doc))
    if (key !== 'lanes' && !key.startsWith('x-'))
      errors.push(`${fieldName(key)}: unknown top-level field (only "lanes" and x-… keys are allowed)`);
  if (doc.lanes === undefined) errors.push('lanes: required: the list of lanes');
  else if (!Array.isArray(doc.lanes))
    errors.push(`lanes: expected a list of lanes, got ${describe(doc.lanes)}`);
  return Array.isArray(doc.lanes) ? doc.lanes : undefined;
}

// Identity must be unique: `id` (controller API, lane messages), (msn, merchantQrId) (the check-in lookup)
// and laneRefKey(id) (the ePayment-reference lookup). Only fields that are themselves valid take part.
function checkUnique(results: readonly LaneResult[], errors: string[]): void {
  const ids = new Map<string, LaneResult>();
  const qrs = new Map<string, Map<string, LaneResult>>();
  const refKeys = new Map<string, LaneResult>();
  for (const r of results) {
    let duplicateId = false;
    if (r.id !== undefined) {
      const first = ids.get(r.id);
      if (first) {
        errors.push(`${label(r)}: id: ${describe(r.id)} is already used by ${label(first)}`);
        duplicateId = true;
      } else {
        ids.set(r.id, r);
        const key = laneRefKey(r.id);
        const clash = refKeys.get(key);
        if (clash)
          errors.push(
            `${label(r)}: id: its reference key ${key} (sha256 prefix) collides with ${label(clash)}'s; rename one of them`,
          );
        else refKeys.set(key, r);
      }
    }
    if (r.msn !== undefined && r.merchantQrId !== undefined) {
      let byQr = qrs.get(r.msn);
      if (!byQr) qrs.set(r.msn, (byQr = new Map()));
      const first = byQr.get(r.merchantQrId);
      // A copied lane whose merchantQrId defaults to its (duplicate) id gets one error, not two.
      if (first && !(duplicateId && r.merchantQrIdDefaulted)) {
        const qr = `${describe(r.merchantQrId)}${r.merchantQrIdDefaulted ? ' (defaulted from id)' : ''}`;
        errors.push(`${label(r)}: merchantQrId: ${qr} on msn ${r.msn} is already used by ${label(first)}`);
      } else byQr.set(r.merchantQrId, r);
    }
  }
}

const label = (r: LaneResult): string => laneLabel(r.rawId, r.index);
