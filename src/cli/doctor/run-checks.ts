// Runs the checks one after another (so output order is fixed and one slow Vipps call is the only one in
// flight) and turns each into a line. A check that throws fails with the error's message; one that needs a
// part another check reported broken is skipped, so a single cause fails once.
import { Unavailable, type CheckStatus, type DoctorCheck } from './check';
import type { DoctorContext } from './context';

export interface CheckOutcome {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly problems?: readonly string[];
}

export async function runChecks(
  checks: readonly DoctorCheck[],
  ctx: DoctorContext,
  onOutcome: (outcome: CheckOutcome) => void = () => {},
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    let outcome: CheckOutcome;
    try {
      outcome = { name: check.name, ...(await check.run(ctx)) };
    } catch (e) {
      outcome =
        e instanceof Unavailable
          ? { name: check.name, status: 'skip', detail: `not run: ${e.message}` }
          : { name: check.name, status: 'fail', detail: e instanceof Error ? e.message : String(e) };
    }
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  return outcomes;
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

/** `ok   name: detail`, then each problem indented on its own line. */
export function outcomeText(o: CheckOutcome): string {
  return [
    `${LABEL[o.status]} ${o.name}: ${o.detail}`,
    ...(o.problems ?? []).map((p) => `       - ${p}`),
  ].join('\n');
}
