// Holds the current lane registry and replaces it whole on reload (SIGHUP). A bad new file never takes
// effect: the old registry stays and the reason is logged at error level, because a typo in the lanes file
// must not take every machine offline.
import { EventEmitter } from 'node:events';
import type { Logger } from '../log';
import { LanesFileError, LanesNotLoadedError } from './errors';
import type { IndexedLaneRegistry, Lane } from './lane';
import { loadLanesFile } from './load';
import { createLaneRegistry } from './registry';

const LOGGED_ERRORS = 100;

/** Every problem with the lanes' channels (one line each); empty when all can work. */
export type ChannelCheck = (lanes: readonly Lane[]) => Promise<readonly string[]>;

export type ReloadResult = { ok: true; count: number } | { ok: false; errors: string[] };

/** Anything that emits 'SIGHUP': `process` in production, a plain EventEmitter in tests. */
export type SignalSource = Pick<NodeJS.EventEmitter, 'on' | 'off'>;

export class LanesHolder extends EventEmitter<{ reload: [ReloadResult] }> {
  private registry: IndexedLaneRegistry | undefined;
  // Reloads run one after another, so a slow read can never overwrite the result of a later one.
  private chain: Promise<unknown> = Promise.resolve();
  private watched: { source: SignalSource; handler: () => void } | undefined;
  private channelCheck: ChannelCheck | undefined;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Boot: load the file and create the holder; throws LanesFileError so the process can stop. */
  static async open(path: string, logger: Logger): Promise<LanesHolder> {
    const holder = new LanesHolder(path, logger);
    await holder.load();
    return holder;
  }

  /** Throws LanesNotLoadedError until a load has succeeded. */
  current(): IndexedLaneRegistry {
    if (!this.registry) throw new LanesNotLoadedError(this.path);
    return this.registry;
  }

  /** Loads the file and swaps the registry in; throws LanesFileError (and keeps the old one) if invalid. */
  async load(): Promise<IndexedLaneRegistry> {
    const lanes = await loadLanesFile(this.path);
    await this.throwIfUnusable(lanes);
    const registry = createLaneRegistry(lanes);
    this.registry = registry;
    return registry;
  }

  /**
   * Checks the loaded lanes' channels now (throwing LanesFileError LANES_CHANNELS_UNUSABLE that lists every
   * lane that cannot work) and on every reload, which then keeps the previous lanes.
   */
  async requireWorkingChannels(check: ChannelCheck): Promise<void> {
    this.channelCheck = check;
    await this.throwIfUnusable(this.current().all());
  }

  private async throwIfUnusable(lanes: readonly Lane[]): Promise<void> {
    const problems = this.channelCheck ? await this.channelCheck(lanes) : [];
    if (problems.length > 0) throw new LanesFileError('LANES_CHANNELS_UNUSABLE', this.path, problems);
  }

  /** Never throws: an invalid file keeps the current registry. Emits 'reload' with the result. */
  reload(): Promise<ReloadResult> {
    const next = this.chain.then(() => this.reloadNow());
    this.chain = next;
    return next;
  }

  watchSighup(source: SignalSource = process): void {
    this.unwatch();
    const handler = (): void => void this.reload();
    source.on('SIGHUP', handler);
    this.watched = { source, handler };
  }

  unwatch(): void {
    this.watched?.source.off('SIGHUP', this.watched.handler);
    this.watched = undefined;
  }

  private async reloadNow(): Promise<ReloadResult> {
    let result: ReloadResult;
    try {
      const registry = await this.load();
      const lanes = registry.all();
      const vending = lanes.filter((l) => l.kind === 'vending').length;
      this.logger.info('lanes file reloaded', {
        path: this.path,
        lanes: lanes.length,
        vending,
        selfCheckout: lanes.length - vending,
      });
      result = { ok: true, count: lanes.length };
    } catch (e) {
      const errors = e instanceof LanesFileError ? [...e.errors] : [(e as Error).message];
      this.logger.error('lanes file reload failed; keeping the previous lanes', {
        path: this.path,
        code: e instanceof LanesFileError ? e.code : 'LANES_RELOAD_FAILED',
        // A broken 50,000-lane file must not become one multi-megabyte log line; `lanes check` lists all.
        errors: errors.slice(0, LOGGED_ERRORS),
        errorCount: errors.length,
        kept: this.registry?.size ?? 0,
      });
      result = { ok: false, errors };
    }
    this.emit('reload', result);
    return result;
  }
}
