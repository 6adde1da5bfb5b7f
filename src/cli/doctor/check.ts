// What a doctor check is: a name and a run that says ok, warn or fail with a one-line detail (and, when there
// are several problems, each of them). Adding a check is one file and one line in checks.ts.
import type { DoctorContext } from './context';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly status: Exclude<CheckStatus, 'skip'>;
  /** One line: what was found and, on failure, what to do. */
  readonly detail: string;
  /** Each problem when there are several (printed indented under the line). */
  readonly problems?: readonly string[];
}

export interface DoctorCheck {
  /** Short and stable: it is the key in `--json` output and what scripts grep for. */
  readonly name: string;
  run(ctx: DoctorContext): Promise<CheckResult>;
}

/**
 * Thrown by the context when a check needs something another check has already reported broken (no
 * configuration ⇒ no Vipps client): the check is skipped rather than failing a second time for the same cause.
 */
export class Unavailable extends Error {
  constructor(readonly needs: string) {
    super(`needs ${needs}`);
    this.name = 'Unavailable';
  }
}

export const ok = (detail: string): CheckResult => ({ status: 'ok', detail });
export const warn = (detail: string, problems?: readonly string[]): CheckResult => ({
  status: 'warn',
  detail,
  ...(problems && problems.length > 0 ? { problems } : {}),
});
export const fail = (detail: string, problems?: readonly string[]): CheckResult => ({
  status: 'fail',
  detail,
  ...(problems && problems.length > 0 ? { problems } : {}),
});
