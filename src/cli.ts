#!/usr/bin/env node
// `checkin-gateway <command>`: the operator's entry point. Commands are loaded on demand so `--help` and
// small commands start fast.
import {
  EXIT_FAILURE,
  EXIT_USAGE,
  UsageError,
  parseCommandArgs,
  processIo,
  type Command,
  type Io,
} from './cli/command';
import { commands } from './cli/commands';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: checkin-gateway <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `checkin-gateway <command> --help` for the options of one command.',
  ].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first: "queue stats" before "queue".
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const c of sorted) {
    const words = c.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command: c, rest: argv.slice(words.length) };
  }
  return undefined;
}

export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText());
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`Unknown command: ${argv.join(' ')}\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  try {
    const args = parseCommandArgs(found.command, found.rest);
    if (args.values.help) {
      io.out(`Usage: checkin-gateway ${found.command.usage}\n\n${found.command.summary}`);
      return 0;
    }
    return await found.command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\nUsage: checkin-gateway ${found.command.usage}`);
      return EXIT_USAGE;
    }
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
