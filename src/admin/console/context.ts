// What every console page handler gets: the admin services (the same reads the JSON API uses), the
// dead-letter service when the process has one, and the helpers to answer with a whole page.
import type { Request, Response } from 'express';
import { QueryError } from '../query-params';
import type { AdminServices } from '../services';
import type { DeadLetterPage, DeadLetterQuery, DiscardResult, ReplayResult } from '../dead-letters-types';
import { consoleSession } from './guard';
import { html, type SafeHtml } from './html';
import { page, type NavKey } from './layout';

/** The dead-letter operations the console needs (src/admin/dead-letters.ts); each call audits itself. */
export interface ConsoleDeadLetters {
  list(q: DeadLetterQuery): Promise<DeadLetterPage>;
  replay(ids: readonly string[], operator: string): Promise<ReplayResult[]>;
  discard(ids: readonly string[], operator: string): Promise<DiscardResult[]>;
}

export interface ConsoleContext {
  readonly services: AdminServices;
  readonly deadLetters?: ConsoleDeadLetters | undefined;
}

export interface Rendered {
  readonly title: string;
  readonly nav: NavKey;
  readonly body: SafeHtml;
  readonly live?: string;
  readonly status?: number;
}

export function send(res: Response, r: Rendered): void {
  const session = consoleSession(res);
  res
    .status(r.status ?? 200)
    .type('html')
    .send(
      page({
        title: r.title,
        nav: r.nav,
        body: r.body,
        operator: session.operator,
        csrf: session.csrf,
        ...(r.live ? { live: r.live } : {}),
      }),
    );
}

/** A page handler: a QueryError (a bad filter value) is a 400 page saying which; others go to Express. */
export function pageHandler(nav: NavKey, fn: (req: Request, res: Response) => Promise<Rendered>) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      send(res, await fn(req, res));
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      send(res, {
        title: 'Bad request',
        nav,
        status: 400,
        body: html`<p class="notice bad" role="alert">${err.message}</p>
          <p><a href="/console">Back to the fleet</a></p>`,
      });
    }
  };
}

export function notFound(nav: NavKey, what: string): Rendered {
  return {
    title: 'Not found',
    nav,
    status: 404,
    body: html`<p class="notice bad" role="alert">${what}</p>
      <p><a href="/console">Back to the fleet</a></p>`,
  };
}
