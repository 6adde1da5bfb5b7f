// Lets the consumer loop sleep between polls yet react at once to an in-process event (a job enqueued, a
// slot or a group freed, stop). A notify that arrives while the loop is busy is remembered, not lost.
export class Wakeup {
  private pending = false;
  private waiter: { readonly resolve: () => void; readonly timer: NodeJS.Timeout } | undefined;

  notify(): void {
    this.pending = true;
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.resolve();
  }

  /**
   * Resolves after ms, or as soon as notify() is called (or was called since the last wait): true when
   * notified, false when the time ran out.
   */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (notified: boolean): void => {
        this.pending = false;
        this.waiter = undefined;
        resolve(notified);
      };
      this.waiter = { resolve: () => done(true), timer: setTimeout(() => done(false), ms) };
    });
  }
}
