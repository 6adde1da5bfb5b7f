// Query parameters of the console's GET forms. A form sends its empty fields (`q=&state=`), which mean "no
// filter" here, unlike the JSON API where an empty value is an error; anything else goes through the admin
// API's strict readers, so a bad value is refused the same way.
import type { Request } from 'express';
import { count, instant, oneOf, text } from '../query-params';

function withoutEmpty(q: Request['query'], name: string): Request['query'] {
  return q[name] === '' ? { ...q, [name]: undefined } : q;
}

export const formText = (q: Request['query'], name: string): string | undefined =>
  text(withoutEmpty(q, name), name);
export const formCount = (q: Request['query'], name: string, max: number, min = 0): number | undefined =>
  count(withoutEmpty(q, name), name, max, min);
export const formOneOf = <T extends string>(
  q: Request['query'],
  name: string,
  allowed: readonly T[],
): T | undefined => oneOf(withoutEmpty(q, name), name, allowed);
export const formInstant = (q: Request['query'], name: string): Date | undefined =>
  instant(withoutEmpty(q, name), name);
