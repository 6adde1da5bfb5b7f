// VIPPS_WEBHOOK_SECRETS_FILE (issue 15): webhook secrets in a file the gateway watches and re-reads, so a
// rotated check-in registration's new secret is accepted the moment `webhooks rotate --kind checkin --apply`
// writes it, without a restart. Vipps allows one check-in registration per sales unit, so that rotation is
// delete-then-register: the time until the gateway knows the new secret is the time check-ins fail.
//
// Format: one secret a line; blank lines and lines starting with '#' are ignored. The CLI writes a
// `# webhook <id> kind=<kind> msn=<msn>` line before each secret it adds, so it can remove it again by id.
// fs.watch on the directory sees the CLI's write-and-rename at once; a periodic stat catches what fs.watch
// misses (network file systems, editors, a directory replaced by a mounted secret).
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../log';
import { registerSecret } from '../log';

export function parseSecretsText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export interface SecretsFileWatcher {
  /** The secrets read last (empty while the file is missing). */
  current(): readonly string[];
  /** Re-reads now; resolves once the new contents are in effect. */
  reload(): Promise<void>;
  close(): void;
}

export interface WatchOptions {
  readonly logger: Logger;
  /** The periodic stat's interval; default 1 000 ms. */
  readonly pollMs?: number;
  /** Use fs.watch (default true); false leaves only the periodic stat (tests of the fallback). */
  readonly watch?: boolean;
  readonly onChange?: (secrets: readonly string[]) => void;
}

/** Reads the file once (a missing file reads as no secrets, with a warning) and watches it from then on. */
export async function watchSecretsFile(path: string, options: WatchOptions): Promise<SecretsFileWatcher> {
  const { logger } = options;
  let secrets: readonly string[] = [];
  let signature = '';
  let closed = false;
  let reading: Promise<void> | undefined;
  let again = false;

  const readOnce = async (): Promise<void> => {
    let text: string;
    let sig: string;
    try {
      const s = await stat(path);
      sig = `${s.ino}:${s.size}:${s.mtimeMs}`;
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (signature !== 'missing')
        logger.warn('VIPPS_WEBHOOK_SECRETS_FILE does not exist: no secrets from it until it does', { path });
      signature = 'missing';
      if (secrets.length > 0) {
        secrets = [];
        options.onChange?.(secrets);
      }
      return;
    }
    const next = parseSecretsText(text);
    for (const s of next) registerSecret(s);
    const changed = next.length !== secrets.length || next.some((s, i) => s !== secrets[i]);
    signature = sig;
    if (!changed) return;
    secrets = next;
    // Counts only: the secrets themselves never reach a log line.
    logger.info('webhook secrets file read', { path, secrets: next.length });
    options.onChange?.(secrets);
  };

  // One read at a time; a change seen during a read triggers one more read after it.
  const reload = (): Promise<void> => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      try {
        do {
          again = false;
          await readOnce().catch((err: unknown) =>
            logger.error('cannot read VIPPS_WEBHOOK_SECRETS_FILE', { path, err }),
          );
        } while (again && !closed);
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };

  await reload();

  let watcher: FSWatcher | undefined;
  if (options.watch !== false)
    try {
      // The directory, not the file: the CLI replaces the file by a rename, which ends a watch on the old inode.
      watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
        if (name === null || name === basename(path)) void reload();
      });
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined; // The periodic stat below still works.
    }
  const poll = setInterval(() => {
    void stat(path)
      .then((s) => `${s.ino}:${s.size}:${s.mtimeMs}`)
      .catch(() => 'missing')
      .then((sig) => {
        if (sig !== signature) void reload();
      });
  }, options.pollMs ?? 1000);
  poll.unref();

  return {
    current: () => secrets,
    reload,
    close() {
      closed = true;
      watcher?.close();
      clearInterval(poll);
    },
  };
}

/**
 * The secrets the webhook route accepts: the fixed ones (VIPPS_WEBHOOK_SECRETS, the sandbox's) then the file's.
 * Rebuilt only when either changes, since the route asks on every request.
 */
export function mergedSecrets(
  fixed: readonly string[],
  file: SecretsFileWatcher | undefined,
): () => readonly string[] {
  if (!file) return () => fixed;
  let fromFile: readonly string[] | undefined;
  let fixedLength = -1;
  let merged: readonly string[] = fixed;
  return () => {
    const now = file.current();
    if (now !== fromFile || fixed.length !== fixedLength) {
      fromFile = now;
      fixedLength = fixed.length;
      merged = [...new Set([...fixed, ...now])];
    }
    return merged;
  };
}
