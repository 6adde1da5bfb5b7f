// The sandbox tee: the observer hears a lane message only after the real channel accepted it, and can never
// make a delivery fail.
import { ChannelDeliveryError, type LaneChannel, type LaneMessage } from '../../src/channels/channel';
import type { ChannelRegistry } from '../../src/channels/registry';
import { silentLogger } from '../../src/log';
import { teeChannels } from '../../src/runtime/tee-channels';

const LANE = { id: 'vend-1', controller: { type: 'log' } } as const;
const message: LaneMessage = {
  id: `s_${'b'.repeat(32)}.authorized`,
  type: 'session.authorized',
  laneId: 'vend-1',
  sessionId: `s_${'b'.repeat(32)}`,
  at: '2026-01-01T00:00:00.000Z',
  data: { maxAmount: { currency: 'NOK', value: 10000 } },
};

function registry(channel: LaneChannel): ChannelRegistry {
  return { channelFor: () => channel };
}

describe('teeChannels', () => {
  it('passes the message to the real channel, then to the observer', async () => {
    const order: string[] = [];
    const tee = teeChannels(
      registry({ send: async (m) => void order.push(`channel ${m.id}`) }),
      (m) => order.push(`observer ${m.id}`),
      silentLogger(),
    );
    await tee.channelFor(LANE).send(message);
    expect(order).toEqual([`channel ${message.id}`, `observer ${message.id}`]);
  });

  it('does not tell the observer about a message the channel refused, and keeps the error', async () => {
    const refused = new ChannelDeliveryError('webhook_unavailable', 'down', true, {
      laneId: 'vend-1',
      messageId: message.id,
      attempts: 3,
    });
    const seen: LaneMessage[] = [];
    const tee = teeChannels(
      registry({ send: () => Promise.reject(refused) }),
      (m) => seen.push(m),
      silentLogger(),
    );
    await expect(tee.channelFor(LANE).send(message)).rejects.toBe(refused);
    expect(seen).toEqual([]);
  });

  it('keeps a delivery delivered when the observer throws', async () => {
    let sent = 0;
    const tee = teeChannels(
      registry({ send: async () => void (sent += 1) }),
      () => {
        throw new Error('observer broke');
      },
      silentLogger(),
    );
    await expect(tee.channelFor(LANE).send(message)).resolves.toBeUndefined();
    expect(sent).toBe(1);
  });
});
