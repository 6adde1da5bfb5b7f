import { readSettings, SettingsError } from '../lib/settings';
import { retentionDays } from '../lib/checkin-gateway-stack';

const from = (context: Record<string, unknown>) => readSettings((key) => context[key]);

describe('readSettings', () => {
  it('has offline placeholder defaults so synth needs no AWS account', () => {
    const s = from({});
    expect(s).toMatchObject({
      stackName: 'CheckinGateway',
      account: '123456789012',
      region: 'eu-north-1',
      certificateArn: 'arn:aws:acm:eu-north-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      vippsEnv: 'test',
      imageRepository: 'checkin-gateway',
      imageTag: 'latest',
      buildImage: false,
      serveDesiredCount: 2,
      workMinCount: 1,
      dbMinAcu: 0.5,
      dbMaxAcu: 8,
      controllerQueueArns: [],
      laneSecretArns: {},
      alarmEmail: undefined,
      intakeAgeAlarmS: 60,
      settlementAgeAlarmS: 3600,
    });
  });

  it('parses -c strings into numbers, booleans and lists', () => {
    const s = from({
      account: '210987654321',
      region: 'eu-west-1',
      serveDesiredCount: '3',
      dbMinAcu: '1.5',
      buildImage: 'true',
      vippsEnv: 'production',
      controllerQueueArns:
        'arn:aws:sqs:eu-west-1:210987654321:vend-1.fifo, arn:aws:sqs:eu-west-1:210987654321:vend-2.fifo',
      laneSecretArns: 'LANE_POS1_SECRET=arn:aws:secretsmanager:eu-west-1:210987654321:secret:pos1-AbC123',
    });
    expect(s).toMatchObject({
      account: '210987654321',
      region: 'eu-west-1',
      certificateArn: 'arn:aws:acm:eu-west-1:210987654321:certificate/00000000-0000-0000-0000-000000000000',
      serveDesiredCount: 3,
      serveMaxCount: 10,
      dbMinAcu: 1.5,
      buildImage: true,
      vippsEnv: 'production',
      controllerQueueArns: [
        'arn:aws:sqs:eu-west-1:210987654321:vend-1.fifo',
        'arn:aws:sqs:eu-west-1:210987654321:vend-2.fifo',
      ],
      laneSecretArns: {
        LANE_POS1_SECRET: 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:pos1-AbC123',
      },
    });
  });

  it('rejects a bad value naming the context key and the expected form', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ account: '1234' }, 'context "account" is invalid: expected a 12-digit AWS account id, got "1234"'],
      [{ vippsEnv: 'sandbox' }, 'context "vippsEnv" is invalid: expected test or production, got "sandbox"'],
      [
        { publicWebhookUrl: 'http://x.example/webhooks/vipps' },
        'context "publicWebhookUrl" is invalid: expected the https URL registered with Vipps, got "http://x.example/webhooks/vipps"',
      ],
      [
        { publicBaseUrl: 'http://pay.example.com/' },
        'context "publicBaseUrl" is invalid: expected the https URL customers\' phones reach the gateway at, got "http://pay.example.com/"',
      ],
      [
        { serveDesiredCount: '0' },
        'context "serveDesiredCount" is invalid: expected an integer between 1 and 100, got "0"',
      ],
      [
        { workMinCount: '2.5' },
        'context "workMinCount" is invalid: expected an integer between 1 and 100, got "2.5"',
      ],
      [{ buildImage: 'yes' }, 'context "buildImage" is invalid: expected true or false, got "yes"'],
      [
        { settlementAgeAlarmS: '60' },
        'context "settlementAgeAlarmS" is invalid: expected an integer between 300 and 604800, got "60"',
      ],
      [
        { serveDesiredCount: '4', serveMaxCount: '3' },
        'context "serveMaxCount" is invalid: expected an integer between 4 and 200, got "3"',
      ],
      [
        { certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' },
        'context "certificateArn" is invalid: expected an ACM certificate ARN, got "arn:aws:iam::123456789012:server-certificate/x"',
      ],
      [
        { laneSecretArns: 'lower=arn:aws:secretsmanager:eu-north-1:123456789012:secret:x-AbC123' },
        'context "laneSecretArns" is invalid: expected comma-separated ENV_NAME=<complete secret ARN> pairs, got "lower=arn:aws:secretsmanager:eu-north-1:123456789012:secret:x-AbC123"',
      ],
      [
        { databaseUrlParams: 'sslmode=require&x=<script>' },
        'context "databaseUrlParams" is invalid: expected a URL query, got "sslmode=require&x=<script>"',
      ],
      [{ alarmEmail: 'ops' }, 'context "alarmEmail" is invalid: expected an e-mail address, got "ops"'],
    ];
    for (const [context, message] of cases) {
      let error: unknown;
      try {
        from(context);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SettingsError);
      expect((error as SettingsError).code).toBe('invalid_context');
      expect((error as Error).message).toBe(message);
    }
  });
});

describe('retentionDays', () => {
  it('rounds up to a retention CloudWatch Logs accepts', () => {
    expect(retentionDays(30)).toBe(30);
    expect(retentionDays(31)).toBe(60);
    expect(retentionDays(4000)).toBe(3653);
  });
});
