import type { Response } from 'supertest';

/** The exact problem+json answer: status, media type and the whole body. */
export function expectProblem(
  res: Response,
  status: number,
  code: string,
  title: string,
  extra: Record<string, unknown> = {},
): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
    status,
    type: 'application/problem+json; charset=utf-8',
  });
  expect(res.body).toEqual({
    type: `https://checkin-gateway.dev/problems/${code}`,
    title,
    status,
    code,
    ...extra,
  });
}
