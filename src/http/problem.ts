// RFC 7807 problem+json responses with a stable `code` clients can branch on.
import type { Response } from 'express';

export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  /** Per-field validation errors (422), as an RFC 9457 extension member. */
  readonly errors?: readonly { readonly field: string; readonly message: string }[];
}

/** The problem+json body (RFC 7807 members plus `code`, and `errors` when there are any). */
export function problemBody(problem: Problem): string {
  return JSON.stringify({
    type: `https://checkin-gateway.dev/problems/${problem.code}`,
    title: problem.title,
    status: problem.status,
    code: problem.code,
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
    ...(problem.errors === undefined ? {} : { errors: problem.errors }),
  });
}

export function sendProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(problem.status).type('application/problem+json').send(problemBody(problem));
}
