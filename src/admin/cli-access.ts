// How a CLI command on the gateway's host reaches its admin API: the admin URL from the DATA_DIR lock, and a
// token — the local token file (`DATA_DIR/admin-token`), else ADMIN_TOKEN.
import type { Config } from '../config';
import { readDataDirLock } from '../store/data-dir-lock';
import { readLocalToken } from './local-token';

export interface RunningAdmin {
  readonly url: string;
  readonly pid: number;
  readonly token: string | undefined;
}

export async function adminTokenFor(
  config: Pick<Config, 'dataDir' | 'adminToken'>,
): Promise<string | undefined> {
  return (await readLocalToken(config.dataDir)) ?? config.adminToken;
}

/** The running gateway's admin API, when a gateway owns DATA_DIR and published its admin URL. */
export async function findRunningAdmin(
  config: Pick<Config, 'dataDir' | 'adminToken'>,
): Promise<RunningAdmin | undefined> {
  if (config.dataDir === 'memory://') return undefined;
  const holder = await readDataDirLock(config.dataDir);
  if (!holder?.adminUrl) return undefined;
  return { url: holder.adminUrl, pid: holder.pid, token: await adminTokenFor(config) };
}

export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The running gateway answered with an error: its problem detail (or title) and the status. */
export class AdminAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`the running gateway answered ${status}: ${detail}`);
    this.name = 'AdminAnswerError';
  }
}

/** A JSON call to the running gateway's admin API; a non-2xx answer throws AdminAnswerError. */
export async function adminJson<T>(
  admin: RunningAdmin,
  method: string,
  path: string,
  body?: unknown,
  fetchFn: typeof fetch = fetch,
): Promise<T> {
  const res = await fetchFn(`${admin.url}${path}`, {
    method,
    headers: {
      ...authHeaders(admin.token),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => ({}))) as T & { detail?: string; title?: string; code?: string };
  if (!res.ok) throw new AdminAnswerError(res.status, json.code, json.detail ?? json.title ?? 'no detail');
  return json;
}
