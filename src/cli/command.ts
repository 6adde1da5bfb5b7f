// The CLI's conventions: every command has --help; exit codes 0 ok, 1 failure, 2 usage.
import { createInterface } from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks the operator and resolves to the line typed; absent = non-interactive (commands then take the safe default). */
  readonly ask?: (question: string) => Promise<string>;
}

// One line from stdin; the question goes to stderr so stdout stays parseable. Stdin closing without a line
// (e.g. `< /dev/null` in a script) resolves to '', which every prompt treats as "no".
function askOnStdin(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      if (!process.stdin.isTTY) process.stderr.write('\n'); // a piped answer is not echoed
      rl.close();
      resolve(answer);
    });
    rl.on('close', () => {
      if (answered) return;
      process.stderr.write('\n'); // end the prompt's line before whatever is printed next
      resolve('');
    });
  });
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: process.env,
  ask: askOnStdin,
};

export interface Command {
  /** e.g. "queue stats" */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options?: ParseArgsConfig['options'];
  /** The command parses its own arguments: everything after its name arrives as positionals. */
  readonly rawArgs?: boolean;
  /** Resolves to an exit code; a long-running command resolves when it has stopped. */
  run(args: { values: Record<string, unknown>; positionals: string[] }, io: Io): Promise<number>;
}

export function parseCommandArgs(
  command: Command,
  argv: string[],
): { values: Record<string, unknown>; positionals: string[] } {
  if (command.rawArgs) {
    const help = argv.includes('--help') || argv.includes('-h');
    return { values: help ? { help: true } : {}, positionals: argv };
  }
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...(command.options ?? {}), help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as Record<string, unknown>, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
