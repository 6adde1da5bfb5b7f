// Command groups ("queue", "webhooks", "qr", …): the first word of the commands that have two. `checkin-gateway
// queue --help` used to say "Unknown command" (issue 13); a group name alone now lists that group's commands.
import type { Command } from './command';

/** The group of `word`, or undefined when no multi-word command starts with it. */
export function commandGroup(commands: readonly Command[], word: string | undefined): Command[] | undefined {
  if (word === undefined) return undefined;
  const members = commands.filter((c) => c.name.includes(' ') && c.name.split(' ')[0] === word);
  return members.length > 0 ? members : undefined;
}

export function groupHelpText(group: string, members: readonly Command[]): string {
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `Usage: checkin-gateway ${group} <command> [options]`,
    '',
    'Commands:',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`checkin-gateway ${group} <command> --help\` for the options of one command.`,
  ].join('\n');
}
