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
