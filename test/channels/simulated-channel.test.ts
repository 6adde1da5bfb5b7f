// The `simulated` channel (issue 13): only lanes on it reach the sandbox's simulated machine, lanes without a
// controller field join them in the sandbox, and outside the sandbox such lanes are refused.
import { FakeClock } from '../../src/clock';
import { ChannelConfigError, type LaneMessage } from '../../src/channels/channel';
import { createChannelRegistry, type ChannelDeps } from '../../src/channels/registry';
import { assertSimulatedAvailable, simulatedLaneProblems } from '../../src/channels/simulated-channel';
import type { ControllerChannel } from '../../src/lanes/lane';
import { silentLogger } from '../../src/log';

const message: LaneMessage = {
  id: 'ses_1:authorized',
  type: 'session.authorized',
  laneId: 'vend-1',
  sessionId: 'ses_1',
  at: '2026-01-01T12:00:00.000Z',
  data: {},
};

function deps(overrides: Partial<ChannelDeps> = {}): ChannelDeps {
  return {
    fetch: () => Promise.reject(new Error('no network in this test')),
    clock: new FakeClock(Date.now()),
    logger: silentLogger(),
    secrets: () => 'whsec_dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQ=',
    ...overrides,
  };
}

const lane = (controller: ControllerChannel) => ({ id: 'vend-1', controller });

describe('simulated channel', () => {
  it('hands a simulated lane’s message to the simulated machine and counts it delivered', async () => {
    const received: LaneMessage[] = [];
    const registry = createChannelRegistry(deps({ simulated: (m) => received.push(m) }));
    await expect(registry.channelFor(lane({ type: 'simulated' })).send(message)).resolves.toBeUndefined();
    expect(received).toEqual([message]);
  });

  it('sends a lane with no controller field to the simulated machine in the sandbox', async () => {
    const received: LaneMessage[] = [];
    const registry = createChannelRegistry(deps({ simulated: (m) => received.push(m) }));
    await registry.channelFor(lane({ type: 'log', implicit: true })).send(message);
    expect(received).toEqual([message]);
  });

  it('keeps an explicit log lane away from the simulated machine', async () => {
    const received: LaneMessage[] = [];
    const registry = createChannelRegistry(deps({ simulated: (m) => received.push(m) }));
    await registry.channelFor(lane({ type: 'log' })).send(message);
    expect(received).toEqual([]);
  });

  it('keeps a webhook lane away from the simulated machine (its own controller is called)', async () => {
    const received: LaneMessage[] = [];
    const registry = createChannelRegistry(
      deps({ simulated: (m) => received.push(m), webhook: { maxAttempts: 1 } }),
    );
    const hook = lane({ type: 'webhook', url: 'http://127.0.0.1:9/lanes', secretEnv: 'HOOK' });
    await expect(registry.channelFor(hook).send(message)).rejects.toThrow();
    expect(received).toEqual([]);
  });

  it('logs a lane with no controller field outside the sandbox', async () => {
    const registry = createChannelRegistry(deps());
    await expect(
      registry.channelFor(lane({ type: 'log', implicit: true })).send(message),
    ).resolves.toBeUndefined();
  });

  it('refuses a simulated lane where no simulated machine is configured', () => {
    const registry = createChannelRegistry(deps());
    expect(() => registry.channelFor(lane({ type: 'simulated' }))).toThrow(ChannelConfigError);
  });
});

describe('simulated lanes outside the sandbox', () => {
  const lanes = [
    { id: 'vend-1', controller: { type: 'simulated' } as const },
    { id: 'vend-2', controller: { type: 'log', implicit: true } as const },
  ];

  it('names each simulated lane and the fix', () => {
    expect(simulatedLaneProblems(lanes, false)).toEqual([
      'lane "vend-1" (#1): controller.type: controller type simulated is the sandbox\'s simulated vending machine and works only with VIPPS_ENV=sandbox: give the lane a webhook or sqs controller (or log)',
    ]);
  });

  it('allows them in the sandbox', () => {
    expect(simulatedLaneProblems(lanes, true)).toEqual([]);
    expect(() => assertSimulatedAvailable(lanes, true)).not.toThrow();
  });

  it('refuses to start with them, with code simulated_unavailable', () => {
    expect(() => assertSimulatedAvailable(lanes, false)).toThrow(
      expect.objectContaining({ code: 'simulated_unavailable' }) as Error,
    );
  });
});
