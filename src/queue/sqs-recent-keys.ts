// The dedup keys this instance enqueued within SQS's 5-minute deduplication window. SQS accepts a duplicate
// send without saying it was one, so `EnqueueResult.duplicate` can only be true for a duplicate this
// instance itself saw (an intake retry, the sweeper re-queueing a timer); it also keeps a duplicate timer from
// being sent to the timer queue twice. Bounded: the oldest keys go first.
export const SQS_DEDUP_WINDOW_MS = 5 * 60 * 1000;

export class RecentKeys {
  private readonly keys = new Map<string, { readonly id: string; readonly at: number }>();

  constructor(private readonly max = 10_000) {}

  /** The id the key was enqueued under, when that was less than the window ago. */
  get(key: string, nowMs: number): string | undefined {
    const hit = this.keys.get(key);
    if (hit === undefined) return undefined;
    if (nowMs - hit.at < SQS_DEDUP_WINDOW_MS) return hit.id;
    this.keys.delete(key);
    return undefined;
  }

  set(key: string, id: string, nowMs: number): void {
    this.keys.delete(key);
    this.keys.set(key, { id, at: nowMs });
    for (const oldest of this.keys.keys()) {
      if (this.keys.size <= this.max) break;
      this.keys.delete(oldest);
    }
  }
}
