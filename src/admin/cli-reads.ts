// The reads behind `lanes status` and `sessions list|show`: through the running gateway's admin API when one
// owns DATA_DIR (the embedded store has one owner), otherwise straight from the store and the lanes file.
import { systemClock } from '../clock';
import type { Config } from '../config';
import { loadLanesFile } from '../lanes/load';
import { openStore } from '../store/open-store';
import type { Sql } from '../store/sql';
import { adminJson, findRunningAdmin, type RunningAdmin } from './cli-access';
import { queryLanes } from './lanes-query';
import { querySession, querySessions } from './sessions-query';
import type { LaneSummary, LanesQuery, Page, SessionDetail, SessionsPage, SessionsQuery } from './types';

export interface AdminReads {
  lanes(q: LanesQuery): Promise<Page<LaneSummary>>;
  sessions(q: SessionsQuery): Promise<SessionsPage>;
  session(id: string): Promise<SessionDetail | null>;
}

function query(params: Record<string, string | number | Date | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    q.set(k, v instanceof Date ? v.toISOString() : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function remoteReads(admin: RunningAdmin): AdminReads {
  return {
    lanes: (q) =>
      adminJson(
        admin,
        'GET',
        `/admin/v1/lanes${query({ q: q.q, state: q.state, page: q.page, pageSize: q.pageSize })}`,
      ),
    sessions: (q) =>
      adminJson(
        admin,
        'GET',
        `/admin/v1/sessions${query({ lane: q.laneId, state: q.state, from: q.from, to: q.to, limit: q.limit, cursor: q.cursor })}`,
      ),
    async session(id) {
      try {
        return await adminJson<SessionDetail>(admin, 'GET', `/admin/v1/sessions/${encodeURIComponent(id)}`);
      } catch (err) {
        if ((err as { status?: number }).status === 404) return null;
        throw err;
      }
    },
  };
}

function localReads(db: Sql, lanesFile: string): AdminReads {
  const now = () => systemClock.now();
  return {
    lanes: async (q) => queryLanes(db, await loadLanesFile(lanesFile), q, now()),
    sessions: (q) => querySessions(db, q, now()),
    session: (id) => querySession(db, id, now()),
  };
}

export async function withAdminReads<T>(config: Config, fn: (reads: AdminReads) => Promise<T>): Promise<T> {
  const admin = await findRunningAdmin(config);
  if (admin) return fn(remoteReads(admin));
  const store = await openStore(config);
  try {
    return await fn(localReads(store.db, config.lanesFile));
  } finally {
    await store.close();
  }
}
