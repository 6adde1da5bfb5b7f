// Deployment settings, read once from CDK context (`-c key=value` or cdk.json) and validated, so every
// construct gets typed values and a typo fails the synth with the key's name instead of a broken stack.
// Defaults are placeholders that let `cdk synth` and the tests run offline; a real deploy passes its own.

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  readonly code = 'invalid_context';
  constructor(key: string, expected: string, received: unknown) {
    super(`context "${key}" is invalid: expected ${expected}, got ${JSON.stringify(received)}`);
  }
}

export type VippsEnv = 'test' | 'production';

export interface Settings {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** HTTPS listener certificate (ACM, same region as the stack). */
  readonly certificateArn: string;
  /** The URL registered with Vipps; the gateway signs-checks against it (PUBLIC_WEBHOOK_URL). */
  readonly publicWebhookUrl: string;
  /** PUBLIC_BASE_URL for the serve role: where a redirect-qr lane's sticker sends phones (`/pay/{laneId}`). */
  readonly publicBaseUrl: string | undefined;
  readonly vippsEnv: VippsEnv;
  /** ECR repository name (in this account and region) and tag of the gateway image. */
  readonly imageRepository: string;
  readonly imageTag: string;
  /** Build the image from the repo root Dockerfile at synth time (needs Docker) instead of pulling from ECR. */
  readonly buildImage: boolean;
  readonly serveDesiredCount: number;
  readonly serveMaxCount: number;
  readonly workMinCount: number;
  readonly workMaxCount: number;
  readonly workerConcurrency: number;
  readonly dbMinAcu: number;
  readonly dbMaxAcu: number;
  readonly dbReaders: number;
  readonly natGateways: number;
  readonly logRetentionDays: number;
  readonly alarmEmail: string | undefined;
  /** Query string appended to DATABASE_URL (TLS mode: see README "AWS deployment"). */
  readonly databaseUrlParams: string;
  /** SQS lane-controller queues (lanes file `controller: {type: sqs}`) the worker may send to. */
  readonly controllerQueueArns: readonly string[];
  /** Lane webhook controller secrets (`secretEnv` in the lanes file): env var name → Secrets Manager ARN. */
  readonly laneSecretArns: Readonly<Record<string, string>>;
  /** Required by the gateway outside the sandbox (every controller token must carry this aud and iss). */
  readonly controllerJwtAudience: string;
  readonly controllerJwtIssuer: string;
  readonly intakeAgeAlarmS: number;
  /** Alarm when the oldest settlement still owing Vipps an operation is older than this (issue: one hour). */
  readonly settlementAgeAlarmS: number;
  /** Alarm when a lane message has waited longer than this for delivery to its controller. */
  readonly laneMessageAgeAlarmS: number;
  readonly authFailureAlarmThreshold: number;
  readonly staleDropAlarmThreshold: number;
}

/** Reads one context value; CDK hands `-c` values over as strings and cdk.json values as JSON. */
export type ContextReader = (key: string) => unknown;

const PLACEHOLDER_ACCOUNT = '123456789012';
const PLACEHOLDER_REGION = 'eu-north-1';

export function readSettings(get: ContextReader): Settings {
  const text = (key: string, fallback: string, pattern?: RegExp, expected?: string): string => {
    const raw = get(key);
    if (raw === undefined || raw === '') return fallback;
    if (typeof raw !== 'string' || (pattern && !pattern.test(raw))) {
      throw new SettingsError(key, expected ?? 'a string', raw);
    }
    return raw;
  };
  const optionalText = (key: string, pattern?: RegExp, expected?: string): string | undefined => {
    const v = text(key, '', pattern, expected);
    return v === '' ? undefined : v;
  };
  const num = (key: string, fallback: number, min: number, max: number, integer = true): number => {
    const raw = get(key);
    if (raw === undefined || raw === '') return fallback;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new SettingsError(key, `${integer ? 'an integer' : 'a number'} between ${min} and ${max}`, raw);
    }
    return n;
  };
  const bool = (key: string): boolean => {
    const raw = get(key);
    if (raw === undefined || raw === '' || raw === false || raw === 'false') return false;
    if (raw === true || raw === 'true') return true;
    throw new SettingsError(key, 'true or false', raw);
  };
  const stringList = (key: string, pattern: RegExp, expected: string): string[] => {
    const raw = get(key);
    if (raw === undefined || raw === '') return [];
    const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
    return items.map((item) => {
      const s = typeof item === 'string' ? item.trim() : item;
      if (typeof s !== 'string' || !pattern.test(s)) throw new SettingsError(key, expected, item);
      return s;
    });
  };

  const account = text('account', PLACEHOLDER_ACCOUNT, /^\d{12}$/, 'a 12-digit AWS account id');
  const region = text(
    'region',
    PLACEHOLDER_REGION,
    /^[a-z]{2}(-[a-z]+)+-\d$/,
    'an AWS region like eu-north-1',
  );

  const serveDesiredCount = num('serveDesiredCount', 2, 1, 100);
  const workMinCount = num('workMinCount', 1, 1, 100);
  const dbMinAcu = num('dbMinAcu', 0.5, 0.5, 256, false);
  const settings: Settings = {
    stackName: text(
      'stackName',
      'CheckinGateway',
      /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
      'a CloudFormation stack name',
    ),
    account,
    region,
    certificateArn: text(
      'certificateArn',
      `arn:aws:acm:${region}:${account}:certificate/00000000-0000-0000-0000-000000000000`,
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
      'an ACM certificate ARN',
    ),
    publicWebhookUrl: text(
      'publicWebhookUrl',
      'https://checkin.example.com/webhooks/vipps',
      /^https:\/\/[^\s#]+$/,
      'the https URL registered with Vipps',
    ),
    publicBaseUrl: optionalText(
      'publicBaseUrl',
      /^https:\/\/[^\s#?]+$/,
      "the https URL customers' phones reach the gateway at",
    ),
    vippsEnv: text('vippsEnv', 'test', /^(test|production)$/, 'test or production') as VippsEnv,
    imageRepository: text(
      'imageRepository',
      'checkin-gateway',
      /^[a-z0-9]+([._/-][a-z0-9]+)*$/,
      'an ECR repository name',
    ),
    imageTag: text('imageTag', 'latest', /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'an image tag'),
    buildImage: bool('buildImage'),
    serveDesiredCount,
    serveMaxCount: num('serveMaxCount', Math.max(10, serveDesiredCount), serveDesiredCount, 200),
    workMinCount,
    workMaxCount: num('workMaxCount', Math.max(10, workMinCount), workMinCount, 200),
    workerConcurrency: num('workerConcurrency', 16, 1, 1024),
    dbMinAcu,
    dbMaxAcu: num('dbMaxAcu', 8, Math.max(1, dbMinAcu), 256, false),
    dbReaders: num('dbReaders', 1, 0, 15),
    natGateways: num('natGateways', 2, 1, 3),
    logRetentionDays: num('logRetentionDays', 30, 1, 3653),
    alarmEmail: optionalText('alarmEmail', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'),
    databaseUrlParams: text('databaseUrlParams', 'sslmode=no-verify', /^[A-Za-z0-9_.=&%/-]*$/, 'a URL query'),
    controllerQueueArns: stringList(
      'controllerQueueArns',
      /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/,
      'comma-separated SQS queue ARNs',
    ),
    laneSecretArns: Object.fromEntries(
      stringList(
        'laneSecretArns',
        /^[A-Z_][A-Z0-9_]*=arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
        'comma-separated ENV_NAME=<complete secret ARN> pairs',
      ).map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    ),
    controllerJwtAudience: text(
      'controllerJwtAudience',
      'checkin-gateway',
      /^[\x21-\x7e]{1,200}$/,
      'the aud claim of controller tokens',
    ),
    controllerJwtIssuer: text(
      'controllerJwtIssuer',
      'checkin-controllers',
      /^[\x21-\x7e]{1,200}$/,
      'the iss claim of controller tokens',
    ),
    intakeAgeAlarmS: num('intakeAgeAlarmS', 60, 10, 3600),
    settlementAgeAlarmS: num('settlementAgeAlarmS', 3600, 300, 7 * 86400),
    laneMessageAgeAlarmS: num('laneMessageAgeAlarmS', 300, 60, 86400),
    authFailureAlarmThreshold: num('authFailureAlarmThreshold', 5, 1, 100000),
    staleDropAlarmThreshold: num('staleDropAlarmThreshold', 3, 1, 100000),
  };
  return settings;
}
