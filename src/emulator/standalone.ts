// `checkin-gateway emulator --port N`: the emulator as its own process, for the sandbox profile, demos and
// benchmarks. Flags only (the environment is config.ts's business; the CLI passes its defaults in).
import { createLogger, type Logger } from '../log';
import { createEmulator, type EmulatorOptions, type RunningEmulator } from './emulator';
import { explainListenError } from '../runtime/port-in-use';

export const EMULATOR_USAGE = `Usage: checkin-gateway emulator [options]
  --port N               port to listen on (default 7070; 0 = any free port)
  --host H               interface to bind (default 127.0.0.1)
  --public-base-url URL  base of qrImageUrl/redirectUrl when reached through a proxy
  --user-timeout-ms N    CREATED payments expire after N ms, flat (default: 5 min to open + 5 to approve)
  --open-timeout-ms N    a CREATED payment not opened expires after N ms (default 300000)
  --approve-timeout-ms N an opened payment expires N ms after its opening (default 300000)
  --approve-after-ms N   simulated customer approves/rejects after N ms (default 50)
  --token-ttl-s N        access token lifetime in seconds (default 3600)
  --strict-qr            scans of QR codes never created answer 404
  --allow-http           accept http:// webhook registration URLs (Vipps: https only)
  --checkin-registrations N
                         user.checked-in.v1 registrations allowed per sales unit (default 1, as Vipps)
  --checkin-to-all-registrations
                         deliver check-ins to the partner-wide registration too (Vipps: the sales unit's wins)
  --delivery-max-age-ms N
                         drop a failing webhook delivery N ms after its first attempt (default 7 days)
  --seed N               seed of the fault RNG (default 1)`;

export class EmulatorUsageError extends Error {
  readonly code = 'emulator.usage';
  constructor(message: string) {
    super(`${message}\n${EMULATOR_USAGE}`);
    this.name = 'EmulatorUsageError';
  }
}

export interface ParsedEmulatorArgs {
  readonly port: number;
  readonly host: string;
  readonly options: EmulatorOptions;
}

function intFlag(name: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min || n > max)
    throw new EmulatorUsageError(`--${name} needs an integer from ${min} to ${max}, got ${raw ?? 'nothing'}`);
  return n;
}

export function parseEmulatorArgs(
  argv: readonly string[],
  defaults: { port?: number } = {},
): ParsedEmulatorArgs {
  let port = defaults.port ?? 7070;
  let host = '127.0.0.1';
  const options: { -readonly [K in keyof EmulatorOptions]: EmulatorOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] ?? '').split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        port = intFlag('port', value(), 0, 65535);
        break;
      case '--host': {
        const h = value();
        if (!h) throw new EmulatorUsageError('--host needs a value');
        host = h;
        break;
      }
      case '--public-base-url': {
        const u = value();
        if (!u || !URL.canParse(u))
          throw new EmulatorUsageError(`--public-base-url needs an absolute URL, got ${u ?? 'nothing'}`);
        options.publicBaseUrl = u;
        break;
      }
      case '--user-timeout-ms':
        options.userTimeoutMs = intFlag('user-timeout-ms', value(), 1, 86_400_000);
        break;
      case '--open-timeout-ms':
        options.paymentTimeouts = {
          ...options.paymentTimeouts,
          openMs: intFlag('open-timeout-ms', value(), 1, 86_400_000),
        };
        break;
      case '--approve-timeout-ms':
        options.paymentTimeouts = {
          ...options.paymentTimeouts,
          approveMs: intFlag('approve-timeout-ms', value(), 1, 86_400_000),
        };
        break;
      case '--approve-after-ms':
        options.approveAfterMs = intFlag('approve-after-ms', value(), 0, 600_000);
        break;
      case '--token-ttl-s':
        options.tokenTtlS = intFlag('token-ttl-s', value(), 1, 86_400);
        break;
      case '--seed':
        options.seed = intFlag('seed', value(), 0, 2 ** 32 - 1);
        break;
      case '--strict-qr':
        options.strictQr = true;
        break;
      case '--allow-http':
        options.allowHttp = true;
        break;
      case '--checkin-registrations':
        options.webhookLimits = {
          ...options.webhookLimits,
          checkedIn: intFlag('checkin-registrations', value(), 1, 1000),
        };
        break;
      case '--checkin-to-all-registrations':
        options.checkinToAllRegistrations = true;
        break;
      case '--delivery-max-age-ms':
        options.deliveryRetry = {
          ...options.deliveryRetry,
          maxAgeMs: intFlag('delivery-max-age-ms', value(), 1, 30 * 86_400_000),
        };
        break;
      default:
        throw new EmulatorUsageError(`Unknown option ${flag}`);
    }
  }
  return { port, host, options };
}

export interface EmulatorCommandOptions {
  /** The CLI passes config.emulatorPort (EMULATOR_PORT). */
  readonly defaultPort?: number;
  readonly logger?: Logger;
  /** Close on SIGINT/SIGTERM (default true). */
  readonly handleSignals?: boolean;
}

/** Starts the emulator and resolves once it listens; it runs until closed or signalled. */
export async function runEmulatorCommand(
  argv: readonly string[],
  opts: EmulatorCommandOptions = {},
): Promise<RunningEmulator> {
  const parsed = parseEmulatorArgs(argv, opts.defaultPort === undefined ? {} : { port: opts.defaultPort });
  const logger = opts.logger ?? createLogger();
  const emulator = createEmulator({ ...parsed.options, logger });
  const running = await emulator.listen(parsed.port, parsed.host).catch((err: unknown) => {
    // Name what the operator set: the --port flag, else EMULATOR_PORT (the CLI's default).
    const variable = argv.some((a) => a === '--port' || a.startsWith('--port=')) ? '--port' : 'EMULATOR_PORT';
    throw explainListenError(err, variable, parsed.host, parsed.port);
  });
  logger.info('emulator: listening', { url: running.url, control: `${running.url}/emulator/v1/` });
  const signals = opts.handleSignals ?? true;
  const onSignal = (): void => void stop();
  const stop = async (): Promise<void> => {
    if (signals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await emulator.close();
    logger.info('emulator: stopped');
  };
  if (signals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { url: running.url, close: stop };
}
