// Runs the CLI in-process (`runCli(argv, io)`) against a real emulator over HTTP, capturing stdout/stderr and
// answering prompts from a script. Not a test file: shared by the test/cli suites.
import { resolve } from 'node:path';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import { startEmulator, type StartedEmulator } from '../../src/emulator/emulator';
import { createVippsClient, type VippsClient } from '../../src/vipps';

export const SHIPPED_LANES = resolve(__dirname, '../../lanes.yaml');
/** The two example lanes before pairings: callback-qr only, for tests of merchant-callback codes alone. */
export const CALLBACK_LANES = resolve(__dirname, 'callback-lanes.yaml');
export const PUBLIC_URL = 'https://gateway.example.com/webhooks/vipps';
export const MSN = '123456';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** The prompts shown, in order. */
  readonly questions: readonly string[];
}

export interface CliHarness {
  readonly emulator: StartedEmulator;
  readonly env: Record<string, string>;
  /** A client of our own to arrange and inspect the emulator through the real Vipps API. */
  readonly vipps: VippsClient;
  /** `answers` scripts `ask`; without it the Io is non-interactive (no `ask`). */
  run(argv: string[], options?: { answers?: string[]; env?: Record<string, string> }): Promise<CliRun>;
  close(): Promise<void>;
}

export async function startCliHarness(
  options: Parameters<typeof startEmulator>[0] = {},
  lanesFile = SHIPPED_LANES,
): Promise<CliHarness> {
  const emulator = await startEmulator({ port: 0, allowHttp: true, ...options });
  const env = {
    VIPPS_ENV: 'sandbox',
    VIPPS_BASE_URL: emulator.url,
    LANES_FILE: lanesFile,
    PUBLIC_WEBHOOK_URL: PUBLIC_URL,
  };
  const vipps = createVippsClient({
    env: 'sandbox',
    baseUrl: emulator.url,
    systemName: 'cli-test',
    systemVersion: '1',
  });
  return {
    emulator,
    env,
    vipps,
    async run(argv, runOptions = {}) {
      const out: string[] = [];
      const err: string[] = [];
      const questions: string[] = [];
      const answers = runOptions.answers ? [...runOptions.answers] : undefined;
      const io: Io = {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        env: { ...env, ...runOptions.env },
        ...(answers
          ? {
              ask: async (q: string) => {
                questions.push(q);
                const a = answers.shift();
                if (a === undefined) throw new Error(`unscripted prompt: ${q}`);
                return a;
              },
            }
          : {}),
      };
      const code = await runCli(argv, io);
      return {
        code,
        out: out.map((t) => `${t}\n`).join(''),
        err: err.map((t) => `${t}\n`).join(''),
        questions,
      };
    },
    close: () => emulator.close(),
  };
}
