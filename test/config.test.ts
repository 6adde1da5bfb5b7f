import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigErrors, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('boots on embedded sandbox defaults with no environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.vipps.env).toBe('sandbox');
    expect(c.publicWebhookUrl.href).toBe('http://127.0.0.1:8080/webhooks/vipps');
    expect(c.webhookClockSkewS).toBe(300);
    expect(c.checkinMaxAgeS).toBe(120);
    expect(c.lanesFile).toBe('./lanes.yaml');
    expect(c.dataDir).toBe('./data');
    expect(Object.isFrozen(c.vipps)).toBe(true);
  });

  it('sizes the Postgres pool by DATABASE_POOL_MAX, 10 by default', () => {
    expect(loadConfig({}).databasePoolMax).toBe(10);
    expect(loadConfig({ DATABASE_POOL_MAX: '1' }).databasePoolMax).toBe(1);
  });

  it('splits VIPPS_WEBHOOK_SECRETS on commas for rotation', () => {
    expect(loadConfig({ VIPPS_WEBHOOK_SECRETS: 'old-secret, new-secret' }).webhookSecrets).toEqual([
      'old-secret',
      'new-secret',
    ]);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT is invalid: expected an integer between 0 and 65535, got "eighty"'],
    [{ PORT: '70000' }, 'PORT is invalid: expected an integer between 0 and 65535, got "70000"'],
    [{ VIPPS_WEBHOOK_CLOCK_SKEW_S: '0' }, 'VIPPS_WEBHOOK_CLOCK_SKEW_S is invalid'],
    [{ PUBLIC_WEBHOOK_URL: 'not a url' }, 'PUBLIC_WEBHOOK_URL is invalid: expected an absolute URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL is invalid: expected one of error | warn | info | http | debug'],
    [{ VIPPS_ENV: 'staging' }, 'VIPPS_ENV is invalid: expected one of sandbox | test | production'],
    [
      { DATABASE_POOL_MAX: '0' },
      'DATABASE_POOL_MAX is invalid: expected an integer between 1 and 1000, got "0"',
    ],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('refuses production without credentials instead of falling back to the sandbox', () => {
    expect(() =>
      loadConfig({
        VIPPS_ENV: 'production',
        PUBLIC_WEBHOOK_URL: 'https://pay.example.com/webhooks/vipps',
        VIPPS_WEBHOOK_SECRETS: 's3cret-value',
      }),
    ).toThrow('VIPPS_CLIENT_ID is required');
  });

  it('requires an https PUBLIC_WEBHOOK_URL outside the sandbox', () => {
    expect(() =>
      loadConfig({
        VIPPS_ENV: 'test',
        PUBLIC_WEBHOOK_URL: 'http://pay.example.com/hook',
        VIPPS_WEBHOOK_SECRETS: 'x',
      }),
    ).toThrow('PUBLIC_WEBHOOK_URL is invalid: expected a URL with scheme https:');
  });
});

describe('profiles', () => {
  it('requires DATABASE_URL for STORE=postgres and the three queue URLs for QUEUE=sqs', () => {
    expect(() => loadConfig({ STORE: 'postgres' })).toThrow('DATABASE_URL is required');
    expect(() => loadConfig({ QUEUE: 'sqs' })).toThrow('SQS_INTAKE_QUEUE_URL is required');
    expect(() =>
      loadConfig({
        QUEUE: 'sqs',
        SQS_INTAKE_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/intake',
        SQS_DLQ_URL: 'http://127.0.0.1:4566/000000000000/dlq.fifo',
        SQS_TIMER_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/timers',
      }),
    ).toThrow('SQS_INTAKE_QUEUE_URL is required: expected the URL of a FIFO queue');
  });

  it('reads the aws profile', () => {
    const c = loadConfig({
      QUEUE: 'sqs',
      STORE: 'postgres',
      DATABASE_URL: 'postgres://gw:pw@db.internal:5432/checkin',
      SQS_INTAKE_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/intake.fifo',
      SQS_DLQ_URL: 'http://127.0.0.1:4566/000000000000/dlq.fifo',
      SQS_TIMER_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/timers',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566',
    });
    expect(c.queue).toBe('sqs');
    expect(c.store).toBe('postgres');
    expect(c.sqs).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4566/',
      waitTimeSeconds: 20,
    });
  });
});

describe('every configuration error in one run', () => {
  function thrown(fn: () => unknown): ConfigError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error('expected a ConfigError');
  }

  it('lists all 5 variables a production start is missing, each with its expected form', () => {
    const e = thrown(() => loadConfig({ VIPPS_ENV: 'production' }));
    expect(e).toBeInstanceOf(ConfigErrors);
    expect(e.message).toBe(
      [
        '5 configuration errors (fix them all, then start again):',
        '  - PUBLIC_WEBHOOK_URL is required: expected the https URL registered with Vipps',
        '  - VIPPS_WEBHOOK_SECRETS is required: expected one or more comma-separated webhook secrets (or VIPPS_WEBHOOK_SECRETS_FILE)',
        '  - VIPPS_CLIENT_ID is required: expected the client id for VIPPS_ENV=production',
        '  - VIPPS_CLIENT_SECRET is required: expected the client secret for VIPPS_ENV=production',
        '  - VIPPS_SUBSCRIPTION_KEY is required: expected the subscription key for VIPPS_ENV=production',
      ].join('\n'),
    );
    expect((e as ConfigErrors).problems.map((p) => p.variable)).toEqual([
      'PUBLIC_WEBHOOK_URL',
      'VIPPS_WEBHOOK_SECRETS',
      'VIPPS_CLIENT_ID',
      'VIPPS_CLIENT_SECRET',
      'VIPPS_SUBSCRIPTION_KEY',
    ]);
  });

  it('lists malformed values next to missing ones, one line per variable', () => {
    const e = thrown(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', STORE: 'postgres' }));
    expect(e.message).toBe(
      [
        '3 configuration errors (fix them all, then start again):',
        '  - PORT is invalid: expected an integer between 0 and 65535, got "eighty"',
        '  - DATABASE_URL is required: expected a postgres://user:password@host:port/database URL when STORE=postgres',
        '  - LOG_LEVEL is invalid: expected one of error | warn | info | http | debug, got "loud"',
      ].join('\n'),
    );
  });

  it('reports a malformed PUBLIC_WEBHOOK_URL once, not also as missing', () => {
    const e = thrown(() =>
      loadConfig({
        VIPPS_ENV: 'test',
        PUBLIC_WEBHOOK_URL: 'not a url',
        VIPPS_WEBHOOK_SECRETS: 'x',
        VIPPS_CLIENT_ID: 'id',
        VIPPS_CLIENT_SECRET: 'secret',
        VIPPS_SUBSCRIPTION_KEY: 'key',
      }),
    );
    expect(e).not.toBeInstanceOf(ConfigErrors);
    expect(e.message).toBe(
      'PUBLIC_WEBHOOK_URL is invalid: expected an absolute URL (https:), got "not a url"',
    );
  });

  it('throws a single problem as a plain ConfigError with its own message', () => {
    const e = thrown(() => loadConfig({ PORT: '70000' }));
    expect(e).not.toBeInstanceOf(ConfigErrors);
    expect(e.variable).toBe('PORT');
  });
});

describe('controller auth settings', () => {
  const live = {
    PUBLIC_WEBHOOK_URL: 'https://pay.example.com/webhooks/vipps',
    VIPPS_WEBHOOK_SECRETS: 's3cret-value',
    VIPPS_CLIENT_ID: 'id',
    VIPPS_CLIENT_SECRET: 'secret',
    VIPPS_SUBSCRIPTION_KEY: 'key',
  };
  const claims = {
    CONTROLLER_JWT_AUDIENCE: 'checkin-gateway',
    CONTROLLER_JWT_ISSUER: 'https://pos.example.com',
  };
  const serving = { servesControllerApi: true };

  it('defaults CONTROLLER_JWT_MAX_TTL_S to 24 h and CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN to 30', () => {
    expect(loadConfig({}).controllerJwt).toMatchObject({ maxTtlS: 86_400, failedAuthLimitPerMin: 30 });
    expect(
      loadConfig({ CONTROLLER_JWT_MAX_TTL_S: '3600', CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN: '5' })
        .controllerJwt,
    ).toMatchObject({ maxTtlS: 3600, failedAuthLimitPerMin: 5 });
  });

  it.each([
    [
      { CONTROLLER_JWT_MAX_TTL_S: '1d' },
      'CONTROLLER_JWT_MAX_TTL_S is invalid: expected an integer between 300 and 31536000, got "1d"',
    ],
    [
      { CONTROLLER_JWT_MAX_TTL_S: '60' },
      'CONTROLLER_JWT_MAX_TTL_S is invalid: expected an integer between 300 and 31536000, got "60"',
    ],
    [
      { CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN: '0' },
      'CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN is invalid: expected an integer between 1 and 1000000, got "0"',
    ],
  ])('rejects %j naming the variable and the range', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it.each(['test', 'production'])(
    'refuses to serve the controller API with VIPPS_ENV=%s unless aud and iss are pinned',
    (vippsEnv) => {
      const env = { ...live, VIPPS_ENV: vippsEnv };
      expect(() => loadConfig({ ...env, CONTROLLER_JWT_ISSUER: 'https://pos.example.com' }, serving)).toThrow(
        `CONTROLLER_JWT_AUDIENCE is required: expected the aud claim every controller token must carry when VIPPS_ENV=${vippsEnv} (e.g. checkin-gateway); sign your controller tokens with it`,
      );
      expect(() => loadConfig({ ...env, CONTROLLER_JWT_AUDIENCE: 'checkin-gateway' }, serving)).toThrow(
        `CONTROLLER_JWT_ISSUER is required: expected the iss claim every controller token must carry when VIPPS_ENV=${vippsEnv} (e.g. https://pos.example.com); sign your controller tokens with it`,
      );
      expect(loadConfig({ ...env, ...claims }, serving).controllerJwt).toMatchObject({
        audience: 'checkin-gateway',
        issuer: 'https://pos.example.com',
      });
    },
  );

  it('keeps aud and iss optional in the sandbox and for commands that verify no controller token', () => {
    expect(loadConfig({}, serving).controllerJwt).toMatchObject({ audience: undefined, issuer: undefined });
    expect(loadConfig({ ...live, VIPPS_ENV: 'production' }).controllerJwt.audience).toBeUndefined();
  });
});

describe('CHANNEL_DEGRADED_AFTER_S', () => {
  it('defaults to 60 s and reads a value in seconds', () => {
    expect(loadConfig({}).channelDegradedAfterS).toBe(60);
    expect(loadConfig({ CHANNEL_DEGRADED_AFTER_S: '300' }).channelDegradedAfterS).toBe(300);
  });

  it('rejects 0 naming the variable and the range', () => {
    expect(() => loadConfig({ CHANNEL_DEGRADED_AFTER_S: '0' })).toThrow(
      'CHANNEL_DEGRADED_AFTER_S is invalid: expected an integer between 1 and 86400, got "0"',
    );
  });
});

describe('DATA_DIR', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cg-data-dir-'));
    writeFileSync(join(dir, 'a-file'), 'not a directory');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a directory, a path still to be created, and memory://', () => {
    expect(loadConfig({ DATA_DIR: dir }).dataDir).toBe(dir);
    expect(loadConfig({ DATA_DIR: join(dir, 'new', 'data') }).dataDir).toBe(join(dir, 'new', 'data'));
    expect(loadConfig({ DATA_DIR: 'memory://' }).dataDir).toBe('memory://');
  });

  it('refuses a DATA_DIR that is a file, naming the variable', () => {
    const file = join(dir, 'a-file');
    expect(() => loadConfig({ DATA_DIR: file })).toThrow(
      `DATA_DIR is invalid: expected a directory (created when missing) or memory://, but it is a file; point DATA_DIR at a directory, got ${JSON.stringify(file)}`,
    );
  });

  it('refuses a DATA_DIR below a file, naming the file', () => {
    const file = join(dir, 'a-file');
    const under = join(file, 'data');
    expect(() => loadConfig({ DATA_DIR: under })).toThrow(
      `DATA_DIR is invalid: expected a directory (created when missing) or memory://, but ${file} is a file; point DATA_DIR at a directory, got ${JSON.stringify(under)}`,
    );
  });
});
