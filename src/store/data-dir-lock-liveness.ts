// Is the holder of a DATA_DIR lock alive? (src/store/data-dir-lock.ts, issue 13.) `kill(pid, 0)` is trusted
// only when the pid means the same process here: same pid namespace, same boot, same start time. Otherwise
// the lock file's heartbeat decides, as for a holder on another host.
import { hostname } from 'node:os';
import type { DataDirLockInfo } from './data-dir-lock';
import type { ProcessIdentity, ProcReader } from './proc-identity';

export interface Verdict {
  readonly stale: boolean;
  /** The holder runs in another pid namespace on this host (another container): its pid means nothing here. */
  readonly otherNamespace?: boolean;
}

export interface LivenessContext {
  readonly self: ProcessIdentity;
  readonly proc: ProcReader;
  /** A holder whose pid cannot be checked is stale once its lock is untouched for this long. */
  readonly staleAfterMs: number;
  /** This process holds the lock (a lock with our own pid that we do not hold is a previous life's). */
  readonly heldHere: boolean;
}

const differ = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a !== b;

export async function judgeHolder(
  holder: DataDirLockInfo,
  mtimeMs: number,
  ctx: LivenessContext,
): Promise<Verdict> {
  const untouched = { stale: Date.now() - mtimeMs > ctx.staleAfterMs };
  if (holder.hostname !== hostname()) return untouched;
  if (differ(holder.bootId, ctx.self.bootId)) {
    // Another kernel: this machine before a reboot (its processes are all gone) or another machine with
    // this hostname. A lock untouched since this boot began can only be the former's.
    const bootedAt = await ctx.proc.bootTimeMs();
    if (bootedAt !== undefined && mtimeMs < bootedAt) return { stale: true };
    return untouched;
  }
  if (differ(holder.pidNamespace, ctx.self.pidNamespace)) return { ...untouched, otherNamespace: true };
  if (holder.pid === process.pid) return { stale: !ctx.heldHere };
  if (!isProcessAlive(holder.pid)) return { stale: true };
  if (ctx.self.pidNamespace === undefined) return { stale: false }; // no /proc: the pid is all there is
  const stat = await ctx.proc.processStat(holder.pid);
  if (stat === undefined || stat.state === 'Z') return { stale: true }; // gone, or a zombie not yet reaped
  // Another process now has that pid.
  if (holder.processStart !== undefined && stat.startTime !== holder.processStart) return { stale: true };
  return { stale: false };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence and permission check only
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, owned by someone else
  }
}
