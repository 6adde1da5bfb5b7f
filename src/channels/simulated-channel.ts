// The `simulated` controller channel (sandbox only): the lane message is logged like the log channel's and
// handed to the sandbox's simulated vending machine, and counts as delivered. Only lanes on this channel reach
// the simulated machine, so it never races a real controller on a webhook or SQS lane (issue 13).
import type { Logger } from '../log';
import type { ControllerChannel } from '../lanes/lane';
import { laneLabel } from '../lanes/validate-lane';
import { ChannelConfigError, type LaneChannel, type LaneMessage } from './channel';
import { createLogChannel } from './log-channel';

/** Takes a lane message in-process; the sandbox passes its simulated controller's `receive`. */
export type SimulatedReceiver = (message: LaneMessage) => void;

export function createSimulatedChannel(logger: Logger, receive: SimulatedReceiver): LaneChannel {
  const log = createLogChannel(logger);
  return {
    async send(message, signal) {
      await log.send(message, signal);
      receive(message);
    },
  };
}

/** True when the lane's messages go to the simulated controller, given whether this process has one. */
export function isSimulatedLane(controller: ControllerChannel, simulatedAvailable: boolean): boolean {
  if (controller.type === 'simulated') return true;
  return simulatedAvailable && controller.type === 'log' && controller.implicit === true;
}

export const SIMULATED_UNAVAILABLE =
  "controller type simulated is the sandbox's simulated vending machine and works only with VIPPS_ENV=sandbox: give the lane a webhook or sqs controller (or log)";

/** One line per lane on the simulated channel when not in the sandbox (for `lanes check` and boot). */
export function simulatedLaneProblems(
  lanes: readonly { readonly id: string; readonly controller: ControllerChannel }[],
  sandbox: boolean,
): string[] {
  if (sandbox) return [];
  const problems: string[] = [];
  lanes.forEach((lane, index) => {
    if (lane.controller.type === 'simulated')
      problems.push(`${laneLabel(lane.id, index)}: controller.type: ${SIMULATED_UNAVAILABLE}`);
  });
  return problems;
}

/** Refuses to start with lanes on the simulated channel outside the sandbox. */
export function assertSimulatedAvailable(
  lanes: readonly { readonly id: string; readonly controller: ControllerChannel }[],
  sandbox: boolean,
): void {
  const problems = simulatedLaneProblems(lanes, sandbox);
  if (problems.length > 0) throw new ChannelConfigError('simulated_unavailable', problems.join('\n'));
}
