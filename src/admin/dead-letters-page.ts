// One list over three tables, newest first, paged by an opaque cursor. Order: the time the letter died
// (to the millisecond), then kind, then the id within the kind. Each kind's query takes the rows after the
// cursor in that order, at most limit + 1; the pages are merged here.
import type { Sql } from '../store/sql';
import type { DeadLetter, DeadLetterKind, DeadLetterPage, DeadLetterState } from './dead-letters-types';

const KIND_ORDER: Record<DeadLetterKind, number> = { intake: 0, job: 1, 'lane-message': 2 };

/** What each kind's list query takes. */
export interface KindListQuery {
  readonly laneId: string | undefined;
  readonly state: DeadLetterState | 'all';
  readonly limit: number;
  readonly cursor: Cursor | undefined;
}

export interface Cursor {
  readonly atMs: number;
  readonly kind: number;
  readonly key: string;
}

/** A letter and where it sorts: `key` is its id within its kind (a number for intake and job). */
export interface Sorted {
  readonly letter: DeadLetter;
  readonly atMs: number;
  readonly key: string;
}

export function encodeCursor(s: Sorted): string {
  return Buffer.from(JSON.stringify([s.atMs, KIND_ORDER[s.letter.kind], s.key])).toString('base64url');
}

/** undefined when the text is not a cursor this service wrote. */
export function decodeCursor(text: string): Cursor | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
  const [atMs, kind, key] = parsed as unknown[];
  if (typeof atMs !== 'number' || !Number.isSafeInteger(atMs)) return undefined;
  if (kind !== 0 && kind !== 1 && kind !== 2) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > 300) return undefined;
  // A job key is a jobs row id, or `sqs-<MessageId>` for a message in the SQS dead-letter queue.
  if (kind === 0 && !/^[0-9]{1,19}$/.test(key)) return undefined;
  if (kind === 1 && !/^([0-9]{1,19}|sqs-[A-Za-z0-9-]{1,100})$/.test(key)) return undefined;
  return { atMs, kind, key };
}

/**
 * SQL for "sorts after the cursor" for rows of `kind` with time `at` and id `key` (already typed: bigint or
 * text COLLATE "C"); pushes its parameters onto `params`.
 */
function afterCursorSql(
  kind: DeadLetterKind,
  at: string,
  key: string,
  cursor: Cursor | undefined,
  params: unknown[],
  keyType: 'bigint' | 'text',
): string {
  if (!cursor) return 'TRUE';
  params.push(new Date(cursor.atMs));
  const atParam = `$${params.length}::timestamptz`;
  const mine = KIND_ORDER[kind];
  if (mine < cursor.kind) return `${at} <= ${atParam}`;
  if (mine > cursor.kind) return `${at} < ${atParam}`;
  params.push(cursor.key);
  const keyParam = keyType === 'bigint' ? `$${params.length}::bigint` : `$${params.length}::text COLLATE "C"`;
  return `(${at} < ${atParam} OR (${at} = ${atParam} AND ${key} < ${keyParam}))`;
}

const NUMBER = /^[0-9]+$/;

function compareKeys(kind: DeadLetterKind, a: string, b: string): number {
  if (kind === 'lane-message' || !NUMBER.test(a) || !NUMBER.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Newest first: time, then kind, then key, all descending. */
function newestFirst(a: Sorted, b: Sorted): number {
  if (a.atMs !== b.atMs) return b.atMs - a.atMs;
  const k = KIND_ORDER[b.letter.kind] - KIND_ORDER[a.letter.kind];
  return k !== 0 ? k : compareKeys(a.letter.kind, b.key, a.key);
}

/** Whether a letter sorts after the cursor (the SQS dead-letter queue's letters, filtered in memory). */
export function isAfterCursor(s: Sorted, cursor: Cursor): boolean {
  if (s.atMs !== cursor.atMs) return s.atMs < cursor.atMs;
  const k = KIND_ORDER[s.letter.kind] - cursor.kind;
  return k !== 0 ? k < 0 : compareKeys(s.letter.kind, s.key, cursor.key) < 0;
}

/** Merges each kind's rows (each at most limit + 1, all after the cursor) into one page. */
export function mergePage(kinds: readonly Sorted[][], limit: number): DeadLetterPage {
  const all = kinds.flat().sort(newestFirst);
  const page = all.slice(0, limit);
  const last = page[page.length - 1];
  return {
    deadLetters: page.map((s) => s.letter),
    nextCursor: all.length > limit && last ? encodeCursor(last) : null,
  };
}

/** The columns every kind's inner query selects: its id within the kind, when it died, its state. */
export interface KindRow {
  key: string;
  at: Date;
  state: DeadLetterState;
  resolved_at: Date | null;
  resolved_by: string | null;
}

/**
 * One kind's rows after the cursor, newest first, at most limit + 1. `inner` selects the KindRow columns (and
 * the kind's own) and may filter on the lane as `$1`; the state filter is `$2`.
 */
export async function listKindRows<R extends KindRow>(
  db: Sql,
  kind: DeadLetterKind,
  q: KindListQuery,
  inner: string,
): Promise<R[]> {
  const keyType = kind === 'lane-message' ? 'text' : 'bigint';
  const key = keyType === 'text' ? 'x.key COLLATE "C"' : 'x.key::bigint';
  const params: unknown[] = [q.laneId ?? null, q.state];
  const after = afterCursorSql(kind, 'x.at', key, q.cursor, params, keyType);
  params.push(q.limit + 1);
  const { rows } = await db.query<R>(
    `SELECT * FROM (${inner}) x WHERE ($2::text = 'all' OR x.state = $2::text) AND ${after}
     ORDER BY x.at DESC, ${key} DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** The merchant-callback code a letter came through, when its row names both halves (msn, merchant_qr_id). */
export function qrOfRow(r: {
  msn: string | null;
  merchant_qr_id: string | null;
}): { msn: string; merchantQrId: string } | null {
  return r.msn !== null && r.merchant_qr_id !== null ? { msn: r.msn, merchantQrId: r.merchant_qr_id } : null;
}

/** A row as a listed letter, with the kind's own fields. */
export function sortedLetter(
  kind: DeadLetterKind,
  r: KindRow,
  own: Omit<DeadLetter, 'id' | 'kind' | 'at' | 'state' | 'resolvedAt' | 'resolvedBy'>,
): Sorted {
  const at = new Date(r.at);
  const letter: DeadLetter = {
    id: `${kind}-${r.key}`,
    kind,
    at: at.toISOString(),
    ...own,
    state: r.state,
    resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
    resolvedBy: r.resolved_by,
  };
  return { letter, atMs: at.getTime(), key: r.key };
}
