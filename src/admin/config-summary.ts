// The configuration as operators may see it: every setting, with each secret shown as `****` and nothing of
// it (not even a last character: short secrets would leak). Token lists show their labels only.
import type { Config } from '../config';
import type { ConfigSetting } from './types';

export const MASK = '****';

function plain(name: string, value: string | number | boolean | undefined | null): ConfigSetting {
  return { name, value: value === undefined || value === null ? null : String(value), secret: false };
}

function secret(name: string, present: boolean): ConfigSetting {
  return { name, value: present ? MASK : null, secret: true };
}

/** A URL with its password (and username) masked. */
function maskedUrl(u: string | undefined): string | null {
  if (!u) return null;
  try {
    const url = new URL(u);
    if (url.password) url.password = MASK;
    return url.href;
  } catch {
    return MASK;
  }
}

export function configSummary(c: Config): ConfigSetting[] {
  return [
    plain('HOST', c.host),
    plain('PORT', c.port),
    plain('ADMIN_HOST', c.adminHost),
    plain('ADMIN_PORT', c.adminPort),
    plain('PUBLIC_WEBHOOK_URL', c.publicWebhookUrl.href),
    plain('VIPPS_ENV', c.vipps.env),
    plain('VIPPS_BASE_URL', c.vipps.baseUrl),
    plain('VIPPS_CLIENT_ID', c.vipps.clientId),
    secret('VIPPS_CLIENT_SECRET', c.vipps.clientSecret !== undefined),
    secret('VIPPS_SUBSCRIPTION_KEY', c.vipps.subscriptionKey !== undefined),
    plain('VIPPS_SYSTEM_NAME', c.vipps.systemName),
    plain('VIPPS_SYSTEM_VERSION', c.vipps.systemVersion),
    {
      name: 'VIPPS_WEBHOOK_SECRETS',
      value: c.webhookSecrets.length === 0 ? null : c.webhookSecrets.map(() => MASK).join(','),
      secret: true,
    },
    plain('VIPPS_WEBHOOK_CLOCK_SKEW_S', c.webhookClockSkewS),
    plain('CHECKIN_MAX_AGE_S', c.checkinMaxAgeS),
    plain('LANES_FILE', c.lanesFile),
    plain('DATA_DIR', c.dataDir),
    plain('LOG_LEVEL', c.logLevel),
    plain('TRUST_PROXY', c.trustProxy),
    plain('INTAKE_FAILED_AUTH_LIMIT_PER_MIN', c.intakeRateLimitPerMin),
    plain('QUEUE_MAX_ATTEMPTS', c.queueMaxAttempts),
    plain('CHANNEL_DEGRADED_AFTER_S', c.channelDegradedAfterS),
    secret('ADMIN_TOKEN', c.adminToken !== undefined),
    {
      name: 'OPERATOR_TOKENS',
      value:
        c.operatorTokens.length === 0 ? null : c.operatorTokens.map((t) => `${t.label}:${MASK}`).join(','),
      secret: true,
    },
    plain('EMULATOR_PORT', c.emulatorPort),
    plain('WORKER_CONCURRENCY', c.workerConcurrency),
    plain('WORKER_LEASE_S', c.workerLease.leaseS),
    plain('WORKER_LEASE_HEARTBEAT_S', c.workerLease.heartbeatS),
    {
      name: 'CONTROLLER_JWT_KEYS',
      value: c.controllerJwt.keys.length === 0 ? null : c.controllerJwt.keys.map(() => MASK).join(','),
      secret: true,
    },
    plain('CONTROLLER_JWT_AUDIENCE', c.controllerJwt.audience),
    plain('CONTROLLER_JWT_ISSUER', c.controllerJwt.issuer),
    plain('CONTROLLER_JWT_MAX_TTL_S', c.controllerJwt.maxTtlS),
    plain('CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN', c.controllerJwt.failedAuthLimitPerMin),
    plain('QUEUE', c.queue),
    plain('STORE', c.store),
    { name: 'DATABASE_URL', value: maskedUrl(c.databaseUrl), secret: true },
    plain('DATABASE_POOL_MAX', c.databasePoolMax),
    plain('SQS_INTAKE_QUEUE_URL', c.sqs.intakeQueueUrl),
    plain('SQS_DLQ_URL', c.sqs.dlqUrl),
    plain('SQS_TIMER_QUEUE_URL', c.sqs.timerQueueUrl),
    plain('AWS_REGION', c.sqs.region),
    plain('AWS_ENDPOINT_URL_SQS', c.sqs.endpoint),
    plain('SQS_WAIT_TIME_SECONDS', c.sqs.waitTimeSeconds),
    plain('SQS_VISIBILITY_TIMEOUT_SECONDS', c.sqs.visibilityTimeoutS),
    plain('SQS_BATCH_SIZE', c.sqs.batchSize),
  ];
}
