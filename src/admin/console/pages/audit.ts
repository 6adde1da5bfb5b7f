// The audit log: every operator action (console and API), newest first, older pages by cursor.
import { Router } from 'express';
import { pageHandler, type ConsoleContext } from '../context';
import { link, when } from '../format';
import { html } from '../html';
import { rowsOr } from '../rows';
import { formText } from '../params';

export function auditPage(ctx: ConsoleContext): Router {
  const router = Router();
  router.get(
    '/console/audit',
    pageHandler('audit', async (req) => {
      const before = formText(req.query, 'before');
      const result = await ctx.services.listAudit({ limit: 50, ...(before ? { before } : {}) });
      return {
        title: 'Audit log',
        nav: 'audit',
        body: html`<table>
            <caption>
              Operator actions, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">Operator</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              ${rowsOr(
                result.entries,
                (e) =>
                  html`<tr>
                    <td>${when(e.at)}</td>
                    <td>${e.operator}</td>
                    <td>${e.action}</td>
                    <td>${e.target ?? '—'}</td>
                    <td>${e.outcome}</td>
                    <td>
                      <code>${Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''}</code>
                    </td>
                  </tr>`,
                6,
                'Nothing audited yet.',
              )}
            </tbody>
          </table>
          ${result.nextBefore ? html`<p><a href="${link('/console/audit', { before: result.nextBefore })}">Older entries →</a></p>` : ''}`,
      };
    }),
  );
  return router;
}
