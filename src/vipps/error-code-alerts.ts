// Vipps refusals that only a person can fix (error-codes.ts needsOperator: 5010–5100, 401/403) are not
// ordinary failed payments: every further payment on that sales unit fails the same way. So each one is an
// `error` log line naming the MSN, the code and the fix, and a metric an alert can watch
// (checkin_vipps_operator_action_total{operation, code}). 5080 (PUSH_MESSAGE not allowed) is the one a new
// sales unit meets first: Vipps only sends pushes for sales units approved to skip the landing page.
import type { Logger } from '../log';
import type { Sql } from '../store/sql';
import { OPERATOR_FIX } from './error-codes';
import type { VippsApiError } from './errors';

const GENERIC_FIX =
  "the sales unit's setup at Vipps MobilePay, its API keys or the lane's MSN has to change; retries will not help";

/** For the transport's onApiError: logs and counts a refusal that needs an operator; ignores the rest. */
export function alertOperatorAction(
  logger: Logger,
  count: (labels: { operation: string; code: string }) => void,
  err: VippsApiError,
  msn: string | undefined,
): void {
  if (!err.operatorAction) return;
  const code = err.code ?? `http-${err.status}`;
  count({ operation: err.operation, code });
  logger.error('Vipps refuses until an operator acts', {
    operation: err.operation,
    ...(msn === undefined ? {} : { msn }),
    status: err.status,
    code,
    title: err.title,
    ...(err.traceId === undefined ? {} : { traceId: err.traceId }),
    fix: (err.code === undefined ? undefined : OPERATOR_FIX[err.code]) ?? GENERIC_FIX,
  });
}

/**
 * At start (issue 15): the lanes whose last session ended `push-not-allowed` (5080), one `error` line each, so
 * a restart after "the machines stopped taking payments" names the cause before the next check-in fails too.
 * Vipps offers no call that tells whether a sales unit may push, so the last outcome is the only evidence.
 */
export async function reportPushNotAllowedAtStart(
  db: Sql,
  lanes: readonly { readonly id: string; readonly msn: string }[],
  logger: Logger,
): Promise<string[]> {
  if (lanes.length === 0) return [];
  const { rows } = await db.query<{ lane_id: string; at: Date }>(
    `SELECT l.id AS lane_id, h.at
       FROM unnest($1::text[]) AS l(id)
       CROSS JOIN LATERAL (
         SELECT reason, at FROM session_history
          WHERE lane_id = l.id AND to_state IN ${FINAL} AND (from_state IS NULL OR from_state NOT IN ${FINAL})
          ORDER BY id DESC LIMIT 1) h
      WHERE h.reason = 'push-not-allowed'`,
    [lanes.map((l) => l.id)],
  );
  const msnOf = new Map(lanes.map((l) => [l.id, l.msn]));
  for (const r of rows)
    logger.error('lane cannot take payments: its last check-in was refused with Vipps 5080', {
      laneId: r.lane_id,
      msn: msnOf.get(r.lane_id),
      at: new Date(r.at).toISOString(),
      fix: OPERATOR_FIX['5080'],
    });
  return rows.map((r) => r.lane_id);
}

const FINAL = `('completed', 'cancelled', 'failed', 'dropped')`;
