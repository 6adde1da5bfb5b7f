// Every lane's controller channel can work in this environment: what `lanes check` checks (webhook secrets set
// and well-formed, sqs queues FIFO, simulated lanes only in the sandbox), against the gateway's configuration.
import { simulatedLaneProblems } from '../../channels/simulated-channel';
import { channelEnvironmentProblems } from '../../lanes/check-channels';
import { fail, ok, type DoctorCheck } from './check';

export const channelsCheck: DoctorCheck = {
  name: 'channels',
  async run(ctx) {
    const lanes = await ctx.lanes();
    const config = ctx.config();
    const problems = [
      ...channelEnvironmentProblems(lanes, config.channelSecret),
      ...simulatedLaneProblems(lanes, config.vipps.env === 'sandbox'),
    ];
    if (problems.length > 0)
      return fail(
        `${problems.length} of ${lanes.length} lanes have a controller channel that cannot work: fix each below`,
        problems,
      );
    const types = [...new Set(lanes.map((l) => l.controller.type))].sort().join(', ');
    return ok(`${lanes.length} lanes can reach their controllers (${types || 'none'})`);
  },
};
