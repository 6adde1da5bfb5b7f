// `checkin-gateway emulator --port N`: flag parsing and a real start/stop.
import { startEmulator } from '../../src/emulator/emulator';
import { silentLogger } from '../../src/log';
import { EmulatorUsageError, parseEmulatorArgs, runEmulatorCommand } from '../../src/emulator/standalone';

describe('emulator command', () => {
  it('parses flags in both --flag value and --flag=value forms', () => {
    expect(
      parseEmulatorArgs(['--port', '7171', '--host=0.0.0.0', '--user-timeout-ms', '5000', '--strict-qr']),
    ).toEqual({
      port: 7171,
      host: '0.0.0.0',
      options: { userTimeoutMs: 5000, strictQr: true },
    });
    expect(parseEmulatorArgs([], { port: 7272 })).toEqual({ port: 7272, host: '127.0.0.1', options: {} });
    // The two windows of a payment's expiry (5 + 5 minutes by default), each on its own.
    expect(parseEmulatorArgs(['--open-timeout-ms=60000', '--approve-timeout-ms', '120000']).options).toEqual({
      paymentTimeouts: { openMs: 60_000, approveMs: 120_000 },
    });
  });

  it.each([
    [['--port', '70000'], '--port needs an integer from 0 to 65535, got 70000'],
    [['--port'], '--port needs an integer from 0 to 65535, got nothing'],
    [['--verbose'], 'Unknown option --verbose'],
    [['--public-base-url', 'nope'], '--public-base-url needs an absolute URL, got nope'],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseEmulatorArgs(argv)).toThrow(EmulatorUsageError);
    expect(() => parseEmulatorArgs(argv)).toThrow(message);
  });

  it('starts on the given port, serves the APIs and stops', async () => {
    const running = await runEmulatorCommand(['--port', '0'], {
      logger: silentLogger(),
      handleSignals: false,
    });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${running.url}/accesstoken/get`, {
        method: 'POST',
        headers: { client_id: 'a', client_secret: 'b', 'Ocp-Apim-Subscription-Key': 'k' },
      });
      expect(res.status).toBe(200);
    } finally {
      await running.close();
    }
    await expect(fetch(`${running.url}/emulator/v1/payments`)).rejects.toThrow();
  });
});

describe('startEmulator', () => {
  it('listens on a free port and closes with the emulator', async () => {
    const emulator = await startEmulator({ port: 0 });
    const res = await fetch(`${emulator.url}/emulator/v1/payments`);
    expect(await res.json()).toEqual({ payments: [] });
    await emulator.close();
    await expect(fetch(`${emulator.url}/emulator/v1/payments`)).rejects.toThrow();
  });
});
