// The sandbox's simulated lane controller against a real controller API (the gateway's router, real JWT
// verification, an in-memory service) on 127.0.0.1:0.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import {
  createSimulatedController,
  type DispenseReportRecord,
  type SimulatedController,
} from '../../src/emulator/simulated-controller';
import { createLogger, silentLogger } from '../../src/log';
import { laneMessage } from '../../src/sessions/lane-message';
import { createHarness, hsSecret, type Harness } from '../controller-api/harness';

const LANE = 'vend-oslo-1';
const authorized = (sessionId: string, maxAmount = 10000) =>
  laneMessage(
    { id: sessionId, laneId: LANE },
    'session.authorized',
    {
      maxAmount: { currency: 'NOK', value: maxAmount },
      dispenseBy: new Date(Date.now() + 60_000).toISOString(),
    },
    new Date(),
  );

function nextReport(c: SimulatedController, sessionId: string): Promise<DispenseReportRecord> {
  return new Promise((resolve) => {
    const listener = (r: DispenseReportRecord): void => {
      if (r.sessionId !== sessionId) return;
      c.events.off('report', listener);
      resolve(r);
    };
    c.events.on('report', listener);
  });
}

describe('simulated lane controller', () => {
  let h: Harness;
  let server: Server;
  let gatewayUrl: string;
  const controllers: SimulatedController[] = [];
  const sid = (n: number): string => `s_${String(n).padStart(32, '0')}`;

  beforeEach(async () => {
    h = createHarness();
    server = createServer(h.app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((c) => c.close()));
    server.close();
    server.closeAllConnections();
  });

  const start = (o: Partial<Parameters<typeof createSimulatedController>[0]> = {}): SimulatedController => {
    const c = createSimulatedController({
      gatewayUrl,
      controllerKey: `hs256:${hsSecret}`,
      clock: h.clock,
      afterMs: 0,
      ...o,
    });
    controllers.push(c);
    return c;
  };

  it('reports a quarter of maxAmount, in whole kroner, as dispensed through the controller API', async () => {
    h.service.addSession({ sessionId: sid(1), laneId: LANE, state: 'authorized', maxAmount: 10000 });
    const c = start();
    const reported = nextReport(c, sid(1));
    c.receive(authorized(sid(1)));
    expect(await reported).toMatchObject({
      laneId: LANE,
      result: 'dispensed',
      amount: 2500,
      status: 202,
      attempts: 1,
    });
    expect(h.service.sessions.get(sid(1))?.report).toEqual({ result: 'dispensed', amount: 2500 });
  });

  it('acts once on a redelivered message but records every delivery', async () => {
    for (const n of [2, 3]) h.service.addSession({ sessionId: sid(n), laneId: LANE, state: 'authorized' });
    const c = start();
    const first = nextReport(c, sid(2));
    c.receive(authorized(sid(2)));
    c.receive(authorized(sid(2)));
    await first;
    const second = nextReport(c, sid(3));
    c.receive(authorized(sid(3)));
    await second;
    expect(c.reports(LANE).map((r) => r.sessionId)).toEqual([sid(2), sid(3)]);
    expect(c.messages(LANE).map((m) => m.message.id)).toEqual([
      `${sid(2)}.authorized`,
      `${sid(2)}.authorized`,
      `${sid(3)}.authorized`,
    ]);
  });

  it('reports a failure without an amount, and stays silent when told to', async () => {
    h.service.addSession({ sessionId: sid(4), laneId: LANE, state: 'authorized' });
    h.service.addSession({ sessionId: sid(5), laneId: 'vend-2', state: 'authorized' });
    const c = start();
    c.setBehavior(LANE, { dispense: { result: 'failed' } });
    c.setBehavior('vend-2', { dispense: { result: 'silent' } });
    const reported = nextReport(c, sid(4));
    c.receive({ ...authorized(sid(5)), laneId: 'vend-2' });
    c.receive(authorized(sid(4)));
    expect(await reported).toMatchObject({ result: 'failed', status: 202 });
    expect(h.service.sessions.get(sid(4))?.report).toEqual({ result: 'failed' });
    expect(c.reports('vend-2')).toEqual([]);
    expect(h.service.sessions.get(sid(5))?.report).toBeUndefined();
  });

  it('records a report the gateway refuses (404 unknown session) without retrying it', async () => {
    const c = start();
    c.setBehavior(LANE, { dispense: { result: 'dispensed', amount: 700 } });
    const reported = nextReport(c, sid(6));
    c.receive(authorized(sid(6)));
    expect(await reported).toMatchObject({ result: 'dispensed', amount: 700, status: 404, attempts: 1 });
  });

  it('retries a gateway that does not answer, then records the error', async () => {
    server.close();
    server.closeAllConnections();
    await once(server, 'close');
    const c = start();
    const reported = nextReport(c, sid(7));
    c.receive(authorized(sid(7)));
    const r = await reported;
    expect(r.attempts).toBe(3);
    expect(r.status).toBeUndefined();
    expect(r.error).toEqual(expect.any(String));
  });

  it('cannot report without an hs256 key and says what to configure', async () => {
    const c = start({ controllerKey: undefined });
    const reported = nextReport(c, sid(8));
    c.receive(authorized(sid(8)));
    expect(await reported).toMatchObject({
      attempts: 0,
      error:
        'no hs256 controller key: set CONTROLLER_JWT_KEYS to include one, or leave it empty in the sandbox',
    });
  });

  it('logs "releasing goods" on session.paid, and nothing of the key', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const c = start({ logger: createLogger({ stream }) });
    c.receive(
      laneMessage(
        { id: sid(9), laneId: 'shop-1' },
        'session.paid',
        { amount: { currency: 'NOK', value: 4900 }, orderId: null, settlement: 'settled' },
        new Date(),
      ),
    );
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({
        message: 'simulated controller: releasing goods',
        laneId: 'shop-1',
        sessionId: sid(9),
        amount: 4900,
      }),
    ]);
    expect(lines.join('')).not.toContain(hsSecret);
  });

  it('ignores messages after close and cancels a pending dispense', async () => {
    h.service.addSession({ sessionId: sid(10), laneId: LANE, state: 'authorized' });
    const c = start({ afterMs: 60_000, logger: silentLogger() });
    c.receive(authorized(sid(10)));
    await c.close();
    c.receive(authorized(sid(11)));
    expect(c.messages(LANE).map((m) => m.message.sessionId)).toEqual([sid(10)]);
    expect(c.reports(LANE)).toEqual([]);
    expect(h.service.sessions.get(sid(10))?.report).toBeUndefined();
  });
});
