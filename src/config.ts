// The only reader of process.env. Everything is validated at boot and frozen; an invalid value stops the
// process with a message naming the variable (see README "Configuration").
import {
  collectConfigErrors,
  ConfigError,
  Env,
  int,
  list,
  oneOf,
  optional,
  report,
  str,
  trustProxy,
  url,
} from './config/env-parsers';
import { dataDir } from './config/data-dir';
import { parseOperatorTokens, type OperatorTokenEntry } from './admin/operator-tokens';
import { CredentialsFileError, loadCredentialsFile, type CredentialSet } from './vipps/credentials';

export { ConfigError, ConfigErrors } from './config/env-parsers';

export type VippsEnv = 'sandbox' | 'test' | 'production';
export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'debug';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** The exact URL registered with Vipps; its path is served and its host + path+query are signed. */
  readonly publicWebhookUrl: URL;
  readonly webhookSecrets: readonly string[];
  /** VIPPS_WEBHOOK_SECRETS_FILE: more secrets, one a line, re-read when the file changes (issue 15). */
  readonly webhookSecretsFile: string | undefined;
  /** WEBHOOK_PATH: where the gateway listens; default PUBLIC_WEBHOOK_URL's path (a proxy may strip a prefix). */
  readonly webhookPath: string;
  /** WEBHOOK_REGISTRATION_CHECK_S: how often the registrations at Vipps are checked (0 = only at start). */
  readonly webhookRegistrationCheckS: number;
  readonly webhookClockSkewS: number;
  readonly checkinMaxAgeS: number;
  readonly lanesFile: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly trustProxy: boolean | number | string;
  readonly intakeRateLimitPerMin: number;
  readonly queueMaxAttempts: number;
  /** CHANNEL_DEGRADED_AFTER_S: /readyz names lanes with a lane message undelivered for longer. */
  readonly channelDegradedAfterS: number;
  readonly adminToken: string | undefined;
  /** The admin listener (src/admin/server.ts): ADMIN_HOST (default 127.0.0.1), ADMIN_PORT (default 8081, 0 when PORT=0). */
  readonly adminHost: string;
  readonly adminPort: number;
  /** OPERATOR_TOKENS: `label:token` or `label:sha256:<hex>` entries (src/admin/operator-tokens.ts). */
  readonly operatorTokens: readonly OperatorTokenEntry[];
  readonly vipps: {
    readonly env: VippsEnv;
    /** Sandbox with no VIPPS_BASE_URL: the gateway runs the emulator in-process on EMULATOR_PORT. */
    readonly embeddedEmulator: boolean;
    readonly baseUrl: string;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    readonly subscriptionKey: string | undefined;
    /** VIPPS_CREDENTIALS_FILE: credentials per sales unit (src/vipps/credentials.ts); else undefined. */
    readonly credentialsFile: string | undefined;
    /** The resolved sets of VIPPS_CREDENTIALS_FILE; empty without it (the single set above is used). */
    readonly credentialSets: readonly CredentialSet[];
    readonly systemName: string;
    readonly systemVersion: string;
  };
  readonly emulatorPort: number;
  readonly workerConcurrency: number;
  /**
   * Leases a worker takes on jobs (postgres queue), lane messages and settlements: how long one lasts past its
   * last renewal, and how often the holder renews it, in s. A dead worker's work resumes about leaseS later.
   */
  readonly workerLease: { readonly leaseS: number; readonly heartbeatS: number };
  readonly controllerJwt: {
    readonly keys: readonly string[];
    readonly audience: string | undefined;
    readonly issuer: string | undefined;
    /** CONTROLLER_JWT_MAX_TTL_S: tokens living longer (exp − iat) are refused. */
    readonly maxTtlS: number;
    /** CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN: failed authentications per IP per minute before 429. */
    readonly failedAuthLimitPerMin: number;
  };
  /** True when PUBLIC_WEBHOOK_URL was not set (sandbox): it follows the port actually bound. */
  readonly publicWebhookUrlDefaulted: boolean;
  /**
   * PUBLIC_BASE_URL: where customers' phones reach this gateway; a redirect-qr lane's code opens
   * `<it>/pay/{laneId}` (src/pay/). Sandbox default: the gateway's own URL; elsewhere unset = no pay page.
   */
  readonly publicBaseUrl: URL | undefined;
  /** True when PUBLIC_BASE_URL was not set in the sandbox: it follows the port actually bound. */
  readonly publicBaseUrlDefaulted: boolean;
  /** Reads the env var a lane's webhook controller names in `secretEnv` (channel signing secrets). */
  readonly channelSecret: (envName: string) => string | undefined;
  readonly queue: 'postgres' | 'sqs';
  readonly store: 'pglite' | 'postgres';
  readonly databaseUrl: string | undefined;
  /** DATABASE_POOL_MAX: connections one process may hold to the Postgres server (STORE=postgres). */
  readonly databasePoolMax: number;
  readonly sqs: {
    readonly intakeQueueUrl: string | undefined;
    readonly dlqUrl: string | undefined;
    readonly timerQueueUrl: string | undefined;
    readonly region: string;
    readonly endpoint: string | undefined;
    readonly waitTimeSeconds: number;
    readonly visibilityTimeoutS: number;
    readonly batchSize: number;
  };
}

const VIPPS_BASE_URLS: Record<Exclude<VippsEnv, 'sandbox'>, string> = {
  test: 'https://apitest.vipps.no',
  production: 'https://api.vipps.no',
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export interface LoadConfigOptions {
  /**
   * Default true. False for operator commands that never verify a delivery: `webhooks register` is how the
   * first secret is obtained, so it cannot require one.
   */
  readonly requireWebhookSecrets?: boolean;
  /**
   * Default false. True for the gateway roles that verify controller tokens (`all`, `serve`): outside the
   * sandbox they then require CONTROLLER_JWT_AUDIENCE and CONTROLLER_JWT_ISSUER (issue 13), while operator
   * commands that never see a token do not.
   */
  readonly servesControllerApi?: boolean;
}

/** Throws ConfigError naming every invalid or missing variable at once (ConfigErrors when there are several). */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  return collectConfigErrors(() => readConfig(env, options));
}

function readConfig(env: Env, options: LoadConfigOptions): Config {
  const port = int(env, 'PORT', 8080, 0, 65535);
  const host = str(env, 'HOST', '127.0.0.1');
  const vippsEnv = oneOf<VippsEnv>(env, 'VIPPS_ENV', ['sandbox', 'test', 'production'], 'sandbox');
  const emulatorPort = int(env, 'EMULATOR_PORT', 7070, 0, 65535);

  const publicWebhookUrl =
    url(env, 'PUBLIC_WEBHOOK_URL', vippsEnv === 'sandbox' ? ['http:', 'https:'] : ['https:']) ??
    (vippsEnv === 'sandbox' ? new URL(`http://127.0.0.1:${port}/webhooks/vipps`) : undefined);
  if (!publicWebhookUrl) report(new ConfigError('PUBLIC_WEBHOOK_URL', 'the https URL registered with Vipps'));
  // Customers open it on their phones: https outside the sandbox (the QR API takes https redirect URLs only).
  const publicBaseUrl =
    url(env, 'PUBLIC_BASE_URL', vippsEnv === 'sandbox' ? ['http:', 'https:'] : ['https:']) ??
    (vippsEnv === 'sandbox' ? new URL(`http://127.0.0.1:${port}/`) : undefined);

  const webhookSecrets = list(env, 'VIPPS_WEBHOOK_SECRETS');
  const webhookSecretsFile = optional(env, 'VIPPS_WEBHOOK_SECRETS_FILE');
  // In the sandbox the gateway registers its webhook with the built-in emulator at start and adds that secret.
  if (
    vippsEnv !== 'sandbox' &&
    webhookSecrets.length === 0 &&
    webhookSecretsFile === undefined &&
    options.requireWebhookSecrets !== false
  ) {
    report(
      new ConfigError(
        'VIPPS_WEBHOOK_SECRETS',
        'one or more comma-separated webhook secrets (or VIPPS_WEBHOOK_SECRETS_FILE)',
      ),
    );
  }
  const webhookPath = str(env, 'WEBHOOK_PATH', publicWebhookUrl?.pathname ?? '/webhooks/vipps');
  if (!webhookPath.startsWith('/'))
    report(
      new ConfigError(
        'WEBHOOK_PATH',
        "a path starting with / (default: PUBLIC_WEBHOOK_URL's path)",
        webhookPath,
      ),
    );

  const clientId = optional(env, 'VIPPS_CLIENT_ID');
  const clientSecret = optional(env, 'VIPPS_CLIENT_SECRET');
  const subscriptionKey = optional(env, 'VIPPS_SUBSCRIPTION_KEY');
  const credentialsFile = optional(env, 'VIPPS_CREDENTIALS_FILE');
  const credentialSets = credentialsFile
    ? readCredentialsFile(env, credentialsFile, vippsEnv, { clientId, clientSecret, subscriptionKey })
    : [];
  if (vippsEnv !== 'sandbox' && !credentialsFile) {
    // No silent fallback to the sandbox: a real environment without credentials refuses to start.
    if (!clientId) report(new ConfigError('VIPPS_CLIENT_ID', `the client id for VIPPS_ENV=${vippsEnv}`));
    if (!clientSecret)
      report(new ConfigError('VIPPS_CLIENT_SECRET', `the client secret for VIPPS_ENV=${vippsEnv}`));
    if (!subscriptionKey)
      report(new ConfigError('VIPPS_SUBSCRIPTION_KEY', `the subscription key for VIPPS_ENV=${vippsEnv}`));
  }
  const sandboxBase = url(env, 'VIPPS_BASE_URL', ['http:', 'https:']);
  if (vippsEnv !== 'sandbox' && sandboxBase) {
    report(
      new ConfigError(
        'VIPPS_BASE_URL',
        `unset when VIPPS_ENV=${vippsEnv} (the base URL is fixed)`,
        sandboxBase.href,
      ),
    );
  }
  const baseUrl =
    vippsEnv === 'sandbox'
      ? (sandboxBase?.href ?? `http://127.0.0.1:${emulatorPort}/`).replace(/\/$/, '')
      : VIPPS_BASE_URLS[vippsEnv];

  const systemName = str(env, 'VIPPS_SYSTEM_NAME', pkg.name);
  const systemVersion = str(env, 'VIPPS_SYSTEM_VERSION', pkg.version);
  if (systemName.length > 30)
    report(new ConfigError('VIPPS_SYSTEM_NAME', 'at most 30 characters', systemName));
  if (systemVersion.length > 30)
    report(new ConfigError('VIPPS_SYSTEM_VERSION', 'at most 30 characters', systemVersion));

  const queue = oneOf(env, 'QUEUE', ['postgres', 'sqs'] as const, 'postgres');
  const store = oneOf(env, 'STORE', ['pglite', 'postgres'] as const, 'pglite');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  if (store === 'postgres' && !databaseUrl)
    report(
      new ConfigError(
        'DATABASE_URL',
        'a postgres://user:password@host:port/database URL when STORE=postgres',
      ),
    );
  const sqsUrls = {
    intakeQueueUrl: url(env, 'SQS_INTAKE_QUEUE_URL', ['http:', 'https:'])?.href,
    dlqUrl: url(env, 'SQS_DLQ_URL', ['http:', 'https:'])?.href,
    timerQueueUrl: url(env, 'SQS_TIMER_QUEUE_URL', ['http:', 'https:'])?.href,
  };
  if (queue === 'sqs') {
    if (!sqsUrls.intakeQueueUrl?.endsWith('.fifo'))
      report(new ConfigError('SQS_INTAKE_QUEUE_URL', 'the URL of a FIFO queue (…/name.fifo) when QUEUE=sqs'));
    if (!sqsUrls.dlqUrl?.endsWith('.fifo'))
      report(
        new ConfigError('SQS_DLQ_URL', 'the URL of the FIFO dead-letter queue (…/name.fifo) when QUEUE=sqs'),
      );
    if (!sqsUrls.timerQueueUrl || sqsUrls.timerQueueUrl.endsWith('.fifo'))
      report(
        new ConfigError(
          'SQS_TIMER_QUEUE_URL',
          'the URL of a standard (not FIFO) queue for timers when QUEUE=sqs',
        ),
      );
  }

  const config: Config = {
    port,
    host,
    // Unset only when a problem was reported: loadConfig throws before this value is seen.
    publicWebhookUrl: publicWebhookUrl ?? new URL('https://unset.invalid/'),
    webhookSecrets,
    webhookSecretsFile,
    webhookPath,
    webhookRegistrationCheckS: int(env, 'WEBHOOK_REGISTRATION_CHECK_S', 3600, 0, 7 * 86_400),
    webhookClockSkewS: int(env, 'VIPPS_WEBHOOK_CLOCK_SKEW_S', 300, 1, 3600),
    checkinMaxAgeS: int(env, 'CHECKIN_MAX_AGE_S', 120, 1, 900),
    lanesFile: str(env, 'LANES_FILE', './lanes.yaml'),
    dataDir: dataDir(env),
    logLevel: oneOf<LogLevel>(env, 'LOG_LEVEL', ['error', 'warn', 'info', 'http', 'debug'], 'info'),
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    intakeRateLimitPerMin: int(env, 'INTAKE_FAILED_AUTH_LIMIT_PER_MIN', 30, 1, 1_000_000),
    queueMaxAttempts: int(env, 'QUEUE_MAX_ATTEMPTS', 10, 1, 1000),
    channelDegradedAfterS: int(env, 'CHANNEL_DEGRADED_AFTER_S', 60, 1, 86_400),
    adminToken: optional(env, 'ADMIN_TOKEN'),
    adminHost: str(env, 'ADMIN_HOST', '127.0.0.1'),
    // PORT=0 (tests, benchmarks, a second sandbox) makes the admin port any free one too unless it is given.
    adminPort: int(env, 'ADMIN_PORT', port === 0 ? 0 : 8081, 0, 65535),
    operatorTokens: operatorTokens(env),
    publicWebhookUrlDefaulted: optional(env, 'PUBLIC_WEBHOOK_URL') === undefined,
    publicBaseUrl,
    publicBaseUrlDefaulted: vippsEnv === 'sandbox' && optional(env, 'PUBLIC_BASE_URL') === undefined,
    channelSecret: (name: string) => (/^[A-Z_][A-Z0-9_]*$/.test(name) ? optional(env, name) : undefined),
    vipps: {
      env: vippsEnv,
      embeddedEmulator: vippsEnv === 'sandbox' && sandboxBase === undefined,
      baseUrl,
      clientId,
      clientSecret,
      subscriptionKey,
      credentialsFile,
      credentialSets,
      systemName,
      systemVersion,
    },
    emulatorPort,
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 16, 1, 1024),
    workerLease: workerLease(env),
    controllerJwt: {
      keys: list(env, 'CONTROLLER_JWT_KEYS'),
      audience: controllerClaim(env, 'CONTROLLER_JWT_AUDIENCE', 'aud', vippsEnv, options),
      issuer: controllerClaim(env, 'CONTROLLER_JWT_ISSUER', 'iss', vippsEnv, options),
      maxTtlS: int(env, 'CONTROLLER_JWT_MAX_TTL_S', 86_400, 300, 31_536_000),
      failedAuthLimitPerMin: int(env, 'CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN', 30, 1, 1_000_000),
    },
    queue,
    store,
    databaseUrl: databaseUrl?.href,
    databasePoolMax: int(env, 'DATABASE_POOL_MAX', 10, 1, 1000),
    sqs: {
      ...sqsUrls,
      region: str(env, 'AWS_REGION', 'eu-north-1'),
      endpoint: url(env, 'AWS_ENDPOINT_URL_SQS', ['http:', 'https:'])?.href,
      waitTimeSeconds: int(env, 'SQS_WAIT_TIME_SECONDS', 20, 1, 20),
      // The job lease of the aws profile, renewed every third of it while a job runs: short, so a killed
      // worker's jobs come back within seconds (issue 13).
      visibilityTimeoutS: int(env, 'SQS_VISIBILITY_TIMEOUT_SECONDS', 15, 5, 43_200),
      batchSize: int(env, 'SQS_BATCH_SIZE', 10, 1, 10),
    },
  };
  return deepFreeze(config);
}

// Outside the sandbox a token minted for another system (same key, other audience or issuer) must not open
// a lane, so the gateway refuses to start without both claims pinned.
function controllerClaim(
  env: Env,
  name: 'CONTROLLER_JWT_AUDIENCE' | 'CONTROLLER_JWT_ISSUER',
  claim: 'aud' | 'iss',
  vippsEnv: VippsEnv,
  options: LoadConfigOptions,
): string | undefined {
  const value = optional(env, name);
  if (value === undefined && vippsEnv !== 'sandbox' && options.servesControllerApi === true) {
    report(
      new ConfigError(
        name,
        `the ${claim} claim every controller token must carry when VIPPS_ENV=${vippsEnv} (e.g. ${claim === 'aud' ? 'checkin-gateway' : 'https://pos.example.com'}); sign your controller tokens with it`,
      ),
    );
  }
  return value;
}

// One source of credentials at a time: with the file, a VIPPS_CLIENT_ID beside it would be a second, silent
// answer to "which keys does MSN x use".
function readCredentialsFile(
  env: Env,
  path: string,
  vippsEnv: VippsEnv,
  single: Record<'clientId' | 'clientSecret' | 'subscriptionKey', string | undefined>,
): readonly CredentialSet[] {
  const names = {
    clientId: 'VIPPS_CLIENT_ID',
    clientSecret: 'VIPPS_CLIENT_SECRET',
    subscriptionKey: 'VIPPS_SUBSCRIPTION_KEY',
  };
  for (const [field, name] of Object.entries(names))
    if (single[field as keyof typeof names] !== undefined)
      report(
        new ConfigError(
          name,
          "unset when VIPPS_CREDENTIALS_FILE is given (the file names every sales unit's credentials)",
          '[set]',
        ),
      );
  try {
    return loadCredentialsFile(path, env, vippsEnv);
  } catch (e) {
    if (!(e instanceof CredentialsFileError)) throw e;
    report(
      new ConfigError('VIPPS_CREDENTIALS_FILE', `a usable credentials file: ${e.problems.join('; ')}`, path),
    );
    return [];
  }
}

/** OPERATOR_TOKENS; a malformed entry is reported by position and label, never with its token. */
function operatorTokens(env: Env): OperatorTokenEntry[] {
  const { entries, problems } = parseOperatorTokens(optional(env, 'OPERATOR_TOKENS'));
  if (problems.length > 0)
    report(
      new ConfigError(
        'OPERATOR_TOKENS',
        `comma-separated label:token (16+ characters) or label:sha256:<64 hex> entries; ${problems.join('; ')}`,
      ),
    );
  return entries;
}

/** WORKER_LEASE_S (default 15) and WORKER_LEASE_HEARTBEAT_S (default a third of it, always shorter). */
function workerLease(env: Env): Config['workerLease'] {
  const leaseS = int(env, 'WORKER_LEASE_S', 15, 3, 3600);
  const heartbeatS = int(env, 'WORKER_LEASE_HEARTBEAT_S', Math.max(1, Math.floor(leaseS / 3)), 1, leaseS - 1);
  return { leaseS, heartbeatS };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof URL) && typeof value !== 'function') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
