// Runs the real gateway CLI in a child process (TypeScript through tsx, so no build is needed), for tests
// that need a process boundary: crash (SIGKILL) and restart, signals, data-directory ownership.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';

const ROOT = path.resolve(__dirname, '../..');

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Every stdout/stderr line so far (JSON log lines). */
  readonly output: string[];
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export function cliArgs(args: string[]): string[] {
  return ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args];
}

export async function startGatewayProcess(
  role: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, cliArgs([role]), {
    cwd: ROOT,
    // The start is detected from the info-level "gateway listening" line.
    env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start:\n${output.join('\n')}`));
    }, timeoutMs);
    const onLine = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        output.push(line);
        if (line.includes('"gateway listening"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
  return {
    child,
    url,
    output,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** Runs a CLI command to completion and returns its exit code and output. */
export async function runCliProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, cliArgs(args), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
