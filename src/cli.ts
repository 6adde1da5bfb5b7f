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
import { commandGroup, groupHelpText } from './cli/command-groups';
import { packageVersion } from './cli/package-version';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: checkin-gateway <command> [options]',
    '       checkin-gateway --version',
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

/** No command matched: a group name gets its own commands listed (exit 0 for --help, else 2). */
function answerUnknown(argv: string[], io: Io): number {
  const [first, second] = argv;
  const group = commandGroup(commands, first);
  if (!group || first === undefined) {
    io.err(`Unknown command: ${argv.join(' ')}\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  const text = groupHelpText(first, group);
  if (second === '--help' || second === '-h' || second === 'help') {
    io.out(text);
    return 0;
  }
  if (second === undefined) {
    io.out(text);
    return EXIT_USAGE;
  }
  io.err(`Unknown command: ${argv.join(' ')}\n\n${text}`);
  return EXIT_USAGE;
}

export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText());
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.out(packageVersion());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) return answerUnknown(argv, io);
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
