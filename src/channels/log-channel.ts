// Development channel: the lane message goes to the log (at info) and counts as delivered.
import type { Logger } from '../log';
import type { LaneChannel } from './channel';
import { toWireMessage } from './lane-message-wire';

export function createLogChannel(logger: Logger): LaneChannel {
  return {
    send: async (message) => {
      const wire = toWireMessage(message);
      logger.info('lane message', {
        messageId: wire.id,
        type: wire.type,
        laneId: wire.laneId,
        sessionId: wire.sessionId,
        at: wire.at,
        v: wire.v,
        data: wire.data,
      });
    },
  };
}
