// What makes a pid meaningful (issue 13): a pid names a process only within one pid namespace and one boot of
// one kernel, and only until it is reused. Linux's /proc tells all three; elsewhere every answer is undefined
// and the DATA_DIR lock falls back to judging by the pid alone.
import { readFile, readlink } from 'node:fs/promises';

export interface ProcessStat {
  /** Field 3 of /proc/<pid>/stat: R, S, D, Z (zombie: exited, not yet reaped), … */
  readonly state: string;
  /** Field 22: when the process started, in clock ticks since boot; with the pid, it names one process. */
  readonly startTime: string;
}

/** Reads /proc; injectable so tests can play other namespaces, boots and processes. */
export interface ProcReader {
  /** `readlink /proc/self/ns/pid`, e.g. `pid:[4026531836]`. */
  pidNamespace(): Promise<string | undefined>;
  /** /proc/sys/kernel/random/boot_id: new on every boot. */
  bootId(): Promise<string | undefined>;
  /** When this kernel booted, ms since the epoch (`btime` in /proc/stat). */
  bootTimeMs(): Promise<number | undefined>;
  /** undefined: no such process here (or no /proc). */
  processStat(pid: number): Promise<ProcessStat | undefined>;
}

const orUndefined = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** Parses /proc/<pid>/stat; the command name (field 2) may itself hold spaces and parentheses. */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { state, startTime } : undefined;
}

export const linuxProc: ProcReader = {
  pidNamespace: () => orUndefined(readlink('/proc/self/ns/pid')),
  bootId: async () => (await orUndefined(readFile('/proc/sys/kernel/random/boot_id', 'utf8')))?.trim(),
  bootTimeMs: async () => {
    const stat = await orUndefined(readFile('/proc/stat', 'utf8'));
    const btime = stat && /^btime (\d+)$/m.exec(stat)?.[1];
    return btime ? Number(btime) * 1000 : undefined;
  },
  processStat: async (pid) => {
    const text = await orUndefined(readFile(`/proc/${pid}/stat`, 'utf8'));
    return text === undefined ? undefined : parseProcessStat(text);
  },
};

/** This process as the lock file records it. */
export interface ProcessIdentity {
  readonly pidNamespace?: string;
  readonly bootId?: string;
  readonly processStart?: string;
}

export async function selfIdentity(proc: ProcReader): Promise<ProcessIdentity> {
  const [pidNamespace, bootId, self] = await Promise.all([
    proc.pidNamespace(),
    proc.bootId(),
    proc.processStat(process.pid),
  ]);
  return {
    ...(pidNamespace === undefined ? {} : { pidNamespace }),
    ...(bootId === undefined ? {} : { bootId }),
    ...(self === undefined ? {} : { processStart: self.startTime }),
  };
}
