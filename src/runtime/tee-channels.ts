// Sends each lane message ALSO to an in-process observer (the benchmark's trace), after
// the lane's real channel accepted it. The observer can never fail a delivery: the outbox's at-least-once and
// ordering guarantees stay those of the real channel.
import type { LaneChannel, LaneMessage } from '../channels/channel';
import type { ChannelRegistry } from '../channels/registry';
import type { Logger } from '../log';

export function teeChannels(
  registry: ChannelRegistry,
  observe: (message: LaneMessage) => void,
  logger: Logger,
): ChannelRegistry {
  return {
    channelFor(lane): LaneChannel {
      const channel = registry.channelFor(lane);
      return {
        async send(message, signal) {
          await channel.send(message, signal);
          try {
            observe(message);
          } catch (err) {
            logger.warn('lane message observer failed; the delivery stands', {
              messageId: message.id,
              error: err instanceof Error ? err.message : String(err),
            });
          }
        },
      };
    },
  };
}
