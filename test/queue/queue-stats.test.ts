import { formatQueueStats } from '../../src/queue/queue-stats';

describe('formatQueueStats', () => {
  it('prints one JSON object with the keys in a fixed order', () => {
    const text = formatQueueStats({ dead: 4, delayed: 3, inFlight: 2, ready: 1 });
    expect(text).toBe('{"ready":1,"inFlight":2,"delayed":3,"dead":4}');
  });
});
