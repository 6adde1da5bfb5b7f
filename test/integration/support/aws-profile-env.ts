// The environment of an aws-profile gateway process (architecture §4: QUEUE=sqs, STORE=postgres) against local
// stand-ins: fauxqs for SQS, a Postgres (server or PGlite over the wire), an external Vipps emulator.
import type { SqsQueueUrls } from '../../../src/queue/sqs-setup';

export interface AwsProfileEnvOptions {
  readonly queues: SqsQueueUrls;
  readonly databaseUrl: string;
  readonly lanesFile: string;
  /** The external Vipps emulator (VIPPS_ENV=sandbox + VIPPS_BASE_URL): only `work` calls it. */
  readonly vippsBaseUrl: string;
  /** The URL Vipps signs (the load balancer's, when there is one). */
  readonly publicWebhookUrl: string;
  readonly webhookSecret: string;
  /** Anything else (e.g. CONTROLLER_JWT_KEYS, SQS_VISIBILITY_TIMEOUT_SECONDS), applied last. */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * fauxqs answers with queue URLs on a `sqs.<region>.localhost` host; the SDK needs its real listening address
 * as the endpoint, which is the same port on 127.0.0.1.
 */
export function fauxqsEndpoint(queueUrl: string): string {
  return `http://127.0.0.1:${new URL(queueUrl).port}`;
}

export function awsProfileEnv(o: AwsProfileEnvOptions): Record<string, string> {
  return {
    QUEUE: 'sqs',
    STORE: 'postgres',
    DATABASE_URL: o.databaseUrl,
    SQS_INTAKE_QUEUE_URL: o.queues.intakeQueueUrl,
    SQS_DLQ_URL: o.queues.dlqUrl,
    SQS_TIMER_QUEUE_URL: o.queues.timerQueueUrl,
    AWS_REGION: 'eu-north-1',
    AWS_ENDPOINT_URL_SQS: fauxqsEndpoint(o.queues.intakeQueueUrl),
    // Dummies: fauxqs checks nothing, but the SDK's provider chain must find some credentials at once.
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    SQS_WAIT_TIME_SECONDS: '1',
    VIPPS_ENV: 'sandbox',
    VIPPS_BASE_URL: o.vippsBaseUrl,
    PUBLIC_WEBHOOK_URL: o.publicWebhookUrl,
    VIPPS_WEBHOOK_SECRETS: o.webhookSecret,
    LANES_FILE: o.lanesFile,
    PORT: '0',
    HOST: '127.0.0.1',
    ...o.extra,
  };
}
