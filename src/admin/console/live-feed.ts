// Live updates for the fleet, lane and session pages (server-sent events, /console/events). One timer per
// process polls the store about once a second while someone listens: new session_history rows (an indexed
// read past the last id seen) name the lanes and sessions that moved, wherever the step ran, so it works
// across processes. A moved lane or session is watched for a few seconds more (its lane message is delivered
// just after the step), and each client is sent a row only when what it shows changed. No listener, no timer.
import type { Response } from 'express';
import type { Logger } from '../../log';
import { queryLane } from '../lanes-query';
import type { AdminServices } from '../services';
import type { LaneSummary, SessionDetail, SessionSummary } from '../types';
import { rowId } from './format';
import type { SafeHtml } from './html';
import { laneFacts } from './pages/lane';
import { sessionFacts } from './pages/session';
import { laneRow, sessionRow, timelineBody } from './rows';

export type LiveView =
  | { readonly kind: 'fleet'; readonly lanes: ReadonlySet<string> }
  | { readonly kind: 'lane'; readonly laneId: string }
  | { readonly kind: 'session'; readonly sessionId: string };

export interface LiveFeedOptions {
  readonly services: AdminServices;
  readonly logger: Logger;
  /** Poll period. Default 1 000 ms. */
  readonly intervalMs?: number;
  /** How long a lane or session that moved is re-read. Default 10 s. */
  readonly watchMs?: number;
  /** Listeners at most (each holds a connection). Default 100. */
  readonly maxClients?: number;
}

interface Client {
  readonly view: LiveView;
  readonly res: Response;
  /** Element id → what was last sent for it (without ages, which change every second). */
  readonly sent: Map<string, string>;
}

/** Rows seen are remembered this far below the highest id: a transaction that commits late still counts. */
const OVERLAP = 256;
const HEARTBEAT_TICKS = 15;

/** A page may close while a poll is under way: nothing is written to a stream that has ended. */
function write(c: Client, text: string): void {
  if (!c.res.writableEnded && !c.res.destroyed) c.res.write(text);
}

function withoutAge<T>(value: T): string {
  return JSON.stringify(value, (k, v: unknown) => (k === 'ageS' ? undefined : v));
}

export class LiveFeed {
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private highest: number | undefined;
  private readonly seen = new Set<number>();
  private readonly watchedLanes = new Map<string, number>();
  private readonly watchedSessions = new Map<string, number>();
  private ticks = 0;
  private closed = false;

  constructor(private readonly o: LiveFeedOptions) {}

  get listeners(): number {
    return this.clients.size;
  }

  get polling(): boolean {
    return this.timer !== undefined;
  }

  /** Starts a stream on `res`; false when too many listen already (the caller answers 503). */
  listen(view: LiveView, res: Response): boolean {
    if (this.closed || this.clients.size >= (this.o.maxClients ?? 100)) return false;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const client: Client = { view, res, sent: new Map() };
    this.clients.add(client);
    res.on('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stop();
    });
    this.timer ??= setInterval(() => void this.tick(), this.o.intervalMs ?? 1000);
    return true;
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ends every stream and the timer (the admin listener is closing). */
  close(): void {
    this.closed = true;
    this.stop();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  /** One poll: what moved, then what each listener should be sent. Public for tests. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.readMoves();
      await this.sendChanges();
      if (++this.ticks % HEARTBEAT_TICKS === 0) for (const c of this.clients) write(c, ': ping\n\n');
    } catch (err) {
      this.o.logger.warn('console live feed: poll failed', { err });
    } finally {
      this.running = false;
    }
  }

  private async readMoves(): Promise<void> {
    const { db, clock } = this.o.services.deps;
    if (this.highest === undefined) {
      const { rows } = await db.query<{ max: string | null }>(
        'SELECT max(id)::text AS max FROM session_history',
      );
      this.highest = Number(rows[0]?.max ?? 0);
    }
    const { rows } = await db.query<{ id: string; session_id: string; lane_id: string; at: Date }>(
      `SELECT id::text AS id, session_id, lane_id, at FROM session_history WHERE id > $1 ORDER BY id LIMIT 2000`,
      [Math.max(0, this.highest - OVERLAP)],
    );
    const watchMs = this.o.watchMs ?? 10_000;
    const now = clock.now().getTime();
    for (const r of rows) {
      const id = Number(r.id);
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.highest = Math.max(this.highest, id);
      // A step older than the watch window (read at start, or past the overlap) has nothing new to show.
      if (new Date(r.at).getTime() < now - watchMs) continue;
      this.watchedLanes.set(r.lane_id, now + watchMs);
      this.watchedSessions.set(r.session_id, now + watchMs);
    }
    for (const id of this.seen) if (id <= this.highest - OVERLAP) this.seen.delete(id);
    for (const m of [this.watchedLanes, this.watchedSessions])
      for (const [k, t] of m) if (t < now) m.delete(k);
  }

  private async sendChanges(): Promise<void> {
    if (this.watchedLanes.size === 0 && this.watchedSessions.size === 0) return;
    const { services } = this.o;
    const now = services.deps.clock.now();
    // As the services read it: in the sandbox a lane without a controller is the simulated machine.
    const sandbox = services.deps.config.vipps.env === 'sandbox';
    // Each read at most once per tick, however many listeners want it.
    const lanes = new Map<string, Promise<LaneSummary | null>>();
    const laneSessions = new Map<string, Promise<SessionSummary[]>>();
    const sessions = new Map<string, Promise<SessionDetail | null>>();
    const lane = (id: string) => {
      let p = lanes.get(id);
      if (!p) {
        const l = services.deps.lanes().byId(id);
        p = l ? queryLane(services.deps.db, l, now, sandbox) : Promise.resolve(null);
        lanes.set(id, p);
      }
      return p;
    };
    const recent = (id: string) => {
      let p = laneSessions.get(id);
      if (!p) laneSessions.set(id, (p = services.sessions({ laneId: id, limit: 20 }).then((s) => s.items)));
      return p;
    };
    const session = (id: string) => {
      let p = sessions.get(id);
      if (!p) sessions.set(id, (p = services.session(id)));
      return p;
    };

    for (const c of [...this.clients]) {
      const v = c.view;
      if (v.kind === 'fleet') {
        for (const id of this.watchedLanes.keys()) {
          if (!v.lanes.has(id)) continue;
          const l = await lane(id);
          if (l) this.send(c, rowId('lane', id), withoutAge(l), laneRow(l));
        }
      } else if (v.kind === 'lane') {
        if (!this.watchedLanes.has(v.laneId)) continue;
        const l = await lane(v.laneId);
        if (l) this.send(c, rowId('lanefacts', l.id), withoutAge(l), laneFacts(l));
        for (const s of await recent(v.laneId)) {
          if (this.watchedSessions.has(s.id))
            this.send(
              c,
              rowId('session', s.id),
              withoutAge(s),
              sessionRow(s),
              rowId('lanesessions', v.laneId),
            );
        }
      } else {
        if (!this.watchedSessions.has(v.sessionId)) continue;
        const d = await session(v.sessionId);
        if (!d) continue;
        this.send(
          c,
          rowId('sessionfacts', v.sessionId),
          withoutAge(d.session) + withoutAge(d.payment),
          sessionFacts(d),
        );
        this.send(
          c,
          rowId('timeline', v.sessionId),
          JSON.stringify(d.timeline),
          timelineBody(v.sessionId, d.timeline),
        );
      }
    }
  }

  private send(c: Client, id: string, key: string, markup: SafeHtml, into?: string): void {
    if (c.sent.get(id) === key) return;
    c.sent.set(id, key);
    write(c, `event: row\ndata: ${JSON.stringify({ id, html: markup.text, ...(into ? { into } : {}) })}\n\n`);
  }
}
