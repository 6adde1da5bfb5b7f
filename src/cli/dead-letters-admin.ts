// How `dead-letters …` and `outbox …` reach the running gateway: its admin API, found and authenticated as
// the other CLI commands do (src/admin/cli-access.ts: the admin URL from the DATA_DIR lock, the local token
// file or ADMIN_TOKEN). Replays must run in the gateway that owns the queue and the lanes file it loaded.
import { authHeaders, findRunningAdmin } from '../admin/cli-access';
import { loadConfig } from '../config';
import type { Io } from './command';

export class AdminCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminCallError';
  }
}

export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Calls the running gateway's admin API; throws AdminCallError (printed by the command) when there is none. */
export async function callAdmin(
  io: Io,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<AdminAnswer> {
  const config = loadConfig(io.env, { requireWebhookSecrets: false });
  const admin = await findRunningAdmin(config);
  if (!admin)
    throw new AdminCallError(
      `no running gateway owns DATA_DIR ${config.dataDir}: dead letters and the outbox are handled by the ` +
        'running gateway (start it with `npm start`, or run this on its host with the same DATA_DIR)',
    );
  let res: Response;
  try {
    res = await fetch(`${admin.url}${path}`, {
      method,
      headers: {
        ...authHeaders(admin.token),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new AdminCallError(
      `the running gateway (pid ${admin.pid}) did not answer at ${admin.url}: ${String(err)}`,
    );
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the message
  }
  return { status: res.status, body: parsed };
}

/** The problem's detail (or title) of an answer that is not 2xx, for one error line. */
export function problemText(answer: AdminAnswer): string {
  const b = answer.body as { detail?: unknown; title?: unknown; code?: unknown } | string;
  if (typeof b === 'string') return `${answer.status}: ${b.slice(0, 200)}`;
  const what = typeof b.detail === 'string' ? b.detail : typeof b.title === 'string' ? b.title : '';
  return `${answer.status} ${typeof b.code === 'string' ? b.code : ''}: ${what}`.trim();
}

/** Runs a command body, printing an AdminCallError as one line and exit 1. */
export async function orAdminError(io: Io, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof AdminCallError)) throw err;
    io.err(err.message);
    return 1;
  }
}

/** A plain text table: a header row and left-aligned columns two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
