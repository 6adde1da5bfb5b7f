// The held DATA_DIR lock (src/store/data-dir-lock.ts): its heartbeat checks the file is still this process's
// on every beat and calls the onLost listeners the moment it is not (issue 13: fail-stop).
import { open, rename, stat, writeFile } from 'node:fs/promises';
import type { DataDirLock, DataDirLockInfo } from './data-dir-lock';
import { parseInfo, readLockFile, serialize, tmpName, unlinkIfPresent } from './data-dir-lock-file';

/** Lock files held by this process (a lock with our pid that is not here is a previous life's). */
export const heldHere = new Set<string>();

/** Heartbeats that could not touch the lock file, in a row, before the lock counts as lost. */
const MAX_FAILED_BEATS = 3;

export class HeldLock implements DataDirLock {
  private raw: string;
  private released = false;
  private lost: string | undefined;
  private failedBeats = 0;
  private readonly listeners: ((reason: string) => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;
  // Heartbeats and updateLockInfo take turns: a beat must not read the file halfway through a rewrite.
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    public info: DataDirLockInfo,
    private ino: number,
    heartbeatMs: number,
  ) {
    this.raw = serialize(info);
    this.heartbeat = setInterval(() => void this.inTurn(() => this.beat()), heartbeatMs);
    this.heartbeat.unref();
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Touches the lock file if it is still ours (same inode and content), through one open handle. */
  private async beat(): Promise<void> {
    if (this.released || this.lost !== undefined) return;
    let handle;
    try {
      handle = await open(this.path, 'r');
      const [st, raw] = [await handle.stat(), await handle.readFile('utf8')];
      if (st.ino !== this.ino || raw !== this.raw)
        return this.lose(`${this.path} was replaced: ${describeHolder(raw)}`);
      const now = new Date();
      await handle.utimes(now, now);
      this.failedBeats = 0;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      if (code === 'ENOENT') return this.lose(`${this.path} was removed`);
      if (++this.failedBeats >= MAX_FAILED_BEATS)
        this.lose(`${this.path} could not be touched ${MAX_FAILED_BEATS} times in a row (${code})`);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private lose(reason: string): void {
    if (this.lost !== undefined) return;
    this.lost = reason;
    clearInterval(this.heartbeat);
    heldHere.delete(this.path);
    for (const listener of this.listeners.splice(0)) listener(reason);
  }

  onLost(listener: (reason: string) => void): void {
    if (this.lost !== undefined) listener(this.lost);
    else if (!this.released) this.listeners.push(listener);
  }

  updateLockInfo(patch: { readonly adminUrl?: string }): Promise<void> {
    return this.inTurn(async () => {
      if (this.released) throw new Error('data directory lock already released');
      if (this.lost !== undefined) throw new Error(`data directory lock lost: ${this.lost}`);
      const info = { ...this.info, ...patch };
      const raw = serialize(info);
      const tmp = tmpName(this.path);
      await writeFile(tmp, raw, { flag: 'wx' });
      const { ino } = await stat(tmp); // rename keeps the inode
      await rename(tmp, this.path);
      this.info = info;
      this.raw = raw;
      this.ino = ino;
    });
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.listeners.length = 0;
    clearInterval(this.heartbeat);
    await this.turn;
    heldHere.delete(this.path);
    const current = await readLockFile(this.path);
    if (current?.raw === this.raw) await unlinkIfPresent(this.path);
  }
}

/** Who holds a lock file now, for the lost-lock reason (never its whole content). */
function describeHolder(raw: string): string {
  const info = parseInfo(raw);
  return info ? `now held by process ${info.pid} on ${info.hostname}` : 'its content is not a lock';
}
