// The control API's simulated-controller routes (/emulator/v1/controllers/…), mounted on a real emulator the
// way the sandbox mounts them, and the pure behaviour parsing behind them.
import { defaultDispenseAmount, parseControllerBehavior } from '../../src/emulator/controller-behavior';
import { startEmulator, type StartedEmulator } from '../../src/emulator/emulator';
import type { SimulatedController } from '../../src/emulator/simulated-controller';
import { attachSimulatedController } from '../../src/runtime/sandbox';
import { laneMessage } from '../../src/sessions/lane-message';

const SESSION = `s_${'a'.repeat(32)}`;

describe('emulator control API: simulated controllers', () => {
  let emulator: StartedEmulator;
  let controller: SimulatedController;
  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    controller = attachSimulatedController(emulator, {
      gatewayUrl: 'http://127.0.0.1:9',
      controllerKey: undefined,
      afterMs: 60_000,
    });
  });
  afterEach(async () => {
    await controller.close();
    await emulator.close();
  });

  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${emulator.url}/emulator/v1/controllers/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body }),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as unknown };
  };
  const problem = (detail: string) => ({
    type: 'https://checkin-gateway.dev/problems/emulator.invalid-request',
    title: 'Invalid request',
    status: 400,
    code: 'emulator.invalid-request',
    detail,
  });

  it('sets a lane behaviour and shows it with the reports made', async () => {
    const put = await call(
      'PUT',
      'vend-1',
      JSON.stringify({ dispense: { result: 'dispensed', amount: 2500, afterMs: 10 } }),
    );
    expect(put).toEqual({
      status: 200,
      type: expect.stringContaining('application/json'),
      body: { laneId: 'vend-1', dispense: { result: 'dispensed', amount: 2500, afterMs: 10 } },
    });
    expect(controller.behavior('vend-1')).toEqual({
      dispense: { result: 'dispensed', amount: 2500, afterMs: 10 },
    });
    expect((await call('GET', 'vend-1')).body).toEqual({
      laneId: 'vend-1',
      dispense: { result: 'dispensed', amount: 2500, afterMs: 10 },
      reports: [],
    });
  });

  it('shows the default behaviour for a lane never set', async () => {
    expect((await call('GET', 'shop-9')).body).toEqual({
      laneId: 'shop-9',
      dispense: { result: 'dispensed' },
      reports: [],
    });
  });

  it('lists the lane messages received, in order, with when they arrived', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    controller.receive(
      laneMessage(
        { id: SESSION, laneId: 'vend-1' },
        'session.checked-in',
        { kind: 'vending', awaitingSale: false },
        at,
      ),
    );
    controller.receive(
      laneMessage({ id: SESSION, laneId: 'vend-1' }, 'session.dropped', { reason: 'busy' }, at),
    );
    const res = await call('GET', 'vend-1/messages');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      laneId: 'vend-1',
      messages: [
        {
          receivedAt: expect.any(String),
          message: {
            v: 1,
            id: `${SESSION}.checked-in`,
            type: 'session.checked-in',
            laneId: 'vend-1',
            sessionId: SESSION,
            at: at.toISOString(),
            data: { kind: 'vending', awaitingSale: false },
          },
        },
        expect.objectContaining({ message: expect.objectContaining({ id: `${SESSION}.dropped` }) }),
      ],
    });
    expect((await call('GET', 'other/messages')).body).toEqual({ laneId: 'other', messages: [] });
  });

  it.each([
    ['{}', 'dispense must be an object: {"dispense": {"result": "dispensed"}}'],
    ['{"dispense":{"result":"dance"}}', 'dispense.result must be one of dispensed, failed, silent'],
    [
      '{"dispense":{"result":"failed","amount":100}}',
      'dispense.amount is only allowed with result "dispensed"',
    ],
    [
      '{"dispense":{"result":"dispensed","amount":0}}',
      'dispense.amount must be a positive integer in minor units',
    ],
    ['{"dispense":{"result":"silent","afterMs":-1}}', 'dispense.afterMs must be an integer from 0 to 600000'],
    [
      '{"dispense":{"result":"silent","speed":1},"x":1}',
      'unknown field(s): x; unknown dispense field(s): speed',
    ],
  ])('answers 400 with the exact problem for PUT %s', async (body, detail) => {
    const res = await call('PUT', 'vend-1', body);
    expect(res).toEqual({
      status: 400,
      type: expect.stringContaining('application/problem+json'),
      body: problem(detail),
    });
    expect(controller.behavior('vend-1')).toEqual({ dispense: { result: 'dispensed' } });
  });

  it('answers 400 for a lane id outside the lanes-file charset', async () => {
    const res = await call('GET', 'bad%20lane/messages');
    expect(res).toEqual({
      status: 400,
      type: expect.stringContaining('application/problem+json'),
      body: problem('laneId must be 1-64 characters of A-Z a-z 0-9 _ -'),
    });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await call('PUT', 'vend-1', '{');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'emulator.invalid-json' });
  });
});

describe('simulated controller behaviour', () => {
  it.each([
    [10000, 2500],
    [4900, 1200],
    [150, 100],
    [100, 100],
    [65_000_000, 16_250_000],
  ])('dispenses by default %i ⇒ %i minor units', (max, amount) => {
    expect(defaultDispenseAmount(max)).toBe(amount);
  });

  it('parses a full behaviour and leaves out what was not given', () => {
    expect(parseControllerBehavior({ dispense: { result: 'silent' } })).toEqual({
      dispense: { result: 'silent' },
    });
    expect(parseControllerBehavior({ dispense: { result: 'dispensed', amount: 1, afterMs: 0 } })).toEqual({
      dispense: { result: 'dispensed', amount: 1, afterMs: 0 },
    });
  });
});
