// The payments API of a running gateway, over its admin listener's endpoints (src/http/admin-payments.ts;
// the URL and token come from src/admin/cli-access.ts).
import type { SettleResult } from '../../settlement/payments-api';
import type { PaymentDetail, PaymentRow } from '../../settlement/payments-view';
import type { ReconcileReport } from '../../settlement/reconcile';
import type { SettlementFilter } from '../../store/settlements-repo';
import type { CliPayments, RefundOutcome } from './backend';

export class GatewayAnswerError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`the running gateway answered ${status}: ${detail}`);
    this.name = 'GatewayAnswerError';
  }
}

function query(filter: SettlementFilter): string {
  const q = new URLSearchParams();
  if (filter.outstanding) q.set('outstanding', 'true');
  if (filter.laneId) q.set('lane', filter.laneId);
  if (filter.since) q.set('since', filter.since.toISOString());
  if (filter.until) q.set('until', filter.until.toISOString());
  if (filter.limit !== undefined) q.set('limit', String(filter.limit));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const REFUND_KIND: Record<string, RefundOutcome['kind']> = {
  payment_not_found: 'not-found',
  session_in_progress: 'not-finished',
  refund_conflict: 'conflict',
  refund_exceeds_captured: 'exceeds',
};

export function remotePayments(
  adminUrl: string,
  token: string | undefined,
  fetchFn: typeof fetch = fetch,
): CliPayments {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetchFn(`${adminUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
  async function json<T>(res: Response): Promise<T> {
    const body = (await res.json().catch(() => ({}))) as T & { detail?: string; title?: string };
    if (!res.ok) throw new GatewayAnswerError(res.status, body.detail ?? body.title ?? 'no detail');
    return body;
  }
  const ref = (reference: string) => encodeURIComponent(reference);
  return {
    list: async (filter) =>
      (await json<{ payments: PaymentRow[] }>(await call('GET', `/admin/payments${query(filter)}`))).payments,
    async show(reference) {
      const res = await call('GET', `/admin/payments/${ref(reference)}`);
      return res.status === 404 ? null : json<PaymentDetail>(res);
    },
    settle: async (reference) =>
      json<SettleResult>(
        await call('POST', `/admin/payments/settle${reference ? `?reference=${ref(reference)}` : ''}`),
      ),
    reconcile: async (filter) =>
      json<ReconcileReport>(await call('POST', `/admin/payments/reconcile${query(filter)}`)),
    async refund(reference, ask) {
      const res = await call('POST', `/admin/payments/${ref(reference)}/refund`, { ...ask, operator: 'cli' });
      const body = (await res.json().catch(() => ({}))) as {
        status?: string;
        code?: string;
        detail?: string;
      };
      if (res.status === 202 || res.status === 200) {
        const kind = res.status === 202 ? 'accepted' : 'duplicate';
        return {
          kind,
          detail:
            kind === 'accepted'
              ? 'refund accepted; the settlement carries it out'
              : 'already asked for; nothing new was done',
        };
      }
      const kind = REFUND_KIND[body.code ?? ''];
      if (kind) return { kind, detail: body.detail ?? body.code ?? '' };
      throw new GatewayAnswerError(res.status, body.detail ?? 'no detail');
    },
  };
}
