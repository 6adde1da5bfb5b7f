// What an operator did with a dead letter (migration 010, dead_letter_resolutions): one row per letter id,
// replaced when a job or lane message that died again after its replay is resolved again. A resolution
// covers the death it was about (died_at equal to the row's dead_at / failed_at), whatever the clocks say.
import type { Sql } from '../store/sql';
import type { DeadLetterKind, DiscardOutcome, DiscardResult, ReplayOutcome } from './dead-letters-types';

export type Resolution = 'replayed' | 'stale' | 'discarded';

export interface ResolutionRow {
  readonly resolution: Resolution;
  readonly at: Date;
  readonly operator: string;
  /** The dead_at / failed_at it was about (jobs and lane messages); null for intake letters. */
  readonly diedAt: Date | null;
}

export async function resolutionOf(db: Sql, letterId: string): Promise<ResolutionRow | undefined> {
  const { rows } = await db.query<{
    resolution: Resolution;
    at: Date;
    operator: string;
    died_at: Date | null;
  }>('SELECT resolution, at, operator, died_at FROM dead_letter_resolutions WHERE letter_id = $1', [
    letterId,
  ]);
  const r = rows[0];
  return r
    ? {
        resolution: r.resolution,
        at: new Date(r.at),
        operator: r.operator,
        diedAt: r.died_at ? new Date(r.died_at) : null,
      }
    : undefined;
}

/** Records (or replaces) the letter's resolution. */
export async function resolve(
  db: Sql,
  letter: { readonly id: string; readonly kind: DeadLetterKind },
  resolution: Resolution,
  operator: string,
  at: Date,
  detail?: string,
  diedAt?: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO dead_letter_resolutions (letter_id, kind, resolution, at, operator, detail, died_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (letter_id) DO UPDATE SET resolution = $3, at = $4, operator = $5, detail = $6, died_at = $7`,
    [letter.id, letter.kind, resolution, at, operator, detail ?? null, diedAt ?? null],
  );
}

/** The answer to acting on a letter already resolved: nothing is done twice. */
export function alreadyResolved(
  id: string,
  r: ResolutionRow,
): { id: string; outcome: ReplayOutcome & DiscardOutcome; resolvedAt: string; resolvedBy: string } {
  return { id, outcome: `already_${r.resolution}`, resolvedAt: r.at.toISOString(), resolvedBy: r.operator };
}

/**
 * SQL for a letter's state from its resolution `r` (joined on letter_id): open without one, or — given the
 * row's time of death `diedAt` (jobs, lane messages) — when it died again since.
 */
export function stateSql(diedAt?: string): string {
  const again = diedAt ? ` OR r.died_at IS DISTINCT FROM ${diedAt}` : '';
  return `CASE WHEN r.letter_id IS NULL${again} THEN 'open' ELSE r.resolution END`;
}

/**
 * The resolution that still covers a letter that (last) died at `diedAt`: undefined when there is none, or the
 * letter died again since (a replayed job or lane message that failed again). `diedAt` undefined: the row is
 * no longer a dead letter (a replayed job ran, a replayed message is pending), so any resolution covers it.
 */
export async function coveringResolution(
  db: Sql,
  letterId: string,
  diedAt: Date | undefined,
): Promise<ResolutionRow | undefined> {
  const done = await resolutionOf(db, letterId);
  return done && (!diedAt || diedAt.getTime() === done.diedAt?.getTime()) ? done : undefined;
}

/** Discards a letter that died at `diedAt` (undefined: no such dead letter) unless it is already resolved. */
export async function discardLetter(
  db: Sql,
  letter: { readonly id: string; readonly kind: DeadLetterKind },
  diedAt: Date | undefined,
  operator: string,
  now: Date,
): Promise<DiscardResult> {
  const covered = await coveringResolution(db, letter.id, diedAt);
  if (covered) return alreadyResolved(letter.id, covered);
  if (!diedAt) return { id: letter.id, outcome: 'not_found' };
  await resolve(db, letter, 'discarded', operator, now, undefined, diedAt);
  return { id: letter.id, outcome: 'discarded' };
}
