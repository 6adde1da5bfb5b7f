// Every lane's controller channel can work here: the worker's own start-up check (main.ts), each lane's channel
// built as the worker's registry builds it (webhook secrets set and well-formed, sqs queues FIFO and a client
// to send with, simulated lanes only in the sandbox) and, with QUEUE=sqs, each lane's queue asked whether it
// exists. Nothing is sent.
import { createChannelRegistry } from '../../channels/registry';
import { createSqsClient } from '../../channels/sqs-client';
import { systemClock } from '../../clock';
import { workingChannelsCheck } from '../../lanes/check-channels';
import { silentLogger } from '../../log';
import { fail, ok, type DoctorCheck } from './check';

export const channelsCheck: DoctorCheck = {
  name: 'channels',
  async run(ctx) {
    const lanes = await ctx.lanes();
    const config = ctx.config();
    // As the worker: an SQS client only in the aws profile (QUEUE=sqs), the simulated machine only in the sandbox.
    const sqsClient =
      config.queue === 'sqs' && lanes.some((l) => l.controller.type === 'sqs')
        ? createSqsClient({
            region: config.sqs.region,
            ...(config.sqs.endpoint === undefined ? {} : { endpoint: config.sqs.endpoint }),
          })
        : undefined;
    const registry = createChannelRegistry({
      fetch: globalThis.fetch,
      clock: systemClock,
      logger: silentLogger(),
      secrets: config.channelSecret,
      ...(sqsClient ? { sqsClient } : {}),
      ...(config.vipps.env === 'sandbox' ? { simulated: () => {} } : {}),
    });
    let problems: readonly string[];
    try {
      problems = await workingChannelsCheck((lane) => registry.channelFor(lane), sqsClient)(lanes);
    } finally {
      sqsClient?.destroy();
    }
    if (problems.length > 0)
      return fail(
        `${problems.length} of ${lanes.length} lanes have a controller channel that cannot work: fix each below`,
        problems,
      );
    const types = [...new Set(lanes.map((l) => l.controller.type))].sort().join(', ');
    return ok(`${lanes.length} lanes can reach their controllers (${types || 'none'})`);
  },
};
