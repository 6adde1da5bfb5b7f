// The lane's controller channel (architecture §3, "Lane channel"). Only the form is checked here: the
// webhook signing secret is named by `secretEnv` and read from the environment by config/composition code,
// so a lanes file never holds a secret. Values of `secretEnv` are never echoed: an operator who pasted the
// secret itself there must not find it in the logs.
import type { ControllerChannel } from './lane';
import { closest, describe, type FieldReport, fieldName, isRecord, oneOfError } from './validate-fields';

const FIELDS = {
  log: ['type'],
  simulated: ['type'],
  webhook: ['type', 'url', 'secretEnv'],
  sqs: ['type', 'queueUrl'],
} as const;
const TYPES = Object.keys(FIELDS) as (keyof typeof FIELDS)[];
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const LOOPBACK_HOST = /^(?:localhost|(?:[a-z0-9-]+\.)+localhost|127\.0\.0\.1|\[::1\])$/;
const LOG: ControllerChannel = Object.freeze({ type: 'log' });
// No `controller` field: log in a real environment, the simulated vending machine in the sandbox (channel
// registry), so a first lanes file in the sandbox shows the whole flow with no controller of one's own.
const IMPLICIT: ControllerChannel = Object.freeze({ type: 'log', implicit: true });
const SIMULATED: ControllerChannel = Object.freeze({ type: 'simulated' });
const TYPE_NAMES = '"log", "simulated", "webhook" or "sqs"';

/** Returns the channel, or undefined after reporting each problem as `controller.<field>: …`. */
export function validateController(raw: unknown, report: FieldReport): ControllerChannel | undefined {
  if (raw === undefined) return IMPLICIT;
  if (!isRecord(raw)) {
    report.fail('controller', `expected a mapping with a type (${TYPE_NAMES}), got ${describe(raw)}`);
    return undefined;
  }
  const typeProblem = oneOfError(raw.type, TYPES);
  if (typeProblem) {
    report.fail('controller.type', raw.type === undefined ? `required (${TYPE_NAMES})` : typeProblem);
    return undefined;
  }
  const type = raw.type as keyof typeof FIELDS;
  const allowed: readonly string[] = FIELDS[type];
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    report.fail(
      `controller.${fieldName(key)}`,
      `unknown field for type ${type}${hint ? ` (did you mean ${hint}?)` : ''}`,
    );
    ok = false;
  }
  if (type === 'log') return ok ? LOG : undefined;
  if (type === 'simulated') return ok ? SIMULATED : undefined;
  if (type === 'webhook') {
    const url = checkUrl(
      raw.url,
      'controller.url',
      'an https URL (http only for localhost or 127.0.0.1)',
      report,
    );
    if (raw.secretEnv === undefined) {
      report.fail(
        'controller.secretEnv',
        'required for type webhook: the name of the env var holding the signing secret',
      );
    } else if (typeof raw.secretEnv !== 'string' || !ENV_NAME.test(raw.secretEnv)) {
      report.fail(
        'controller.secretEnv',
        'expected the NAME of an environment variable holding the signing secret (A–Z, 0–9 and _, not starting with a digit), not the secret itself',
      );
      ok = false;
    }
    return ok && url && typeof raw.secretEnv === 'string'
      ? Object.freeze({ type, url, secretEnv: raw.secretEnv })
      : undefined;
  }
  const queueUrl = checkUrl(
    raw.queueUrl,
    'controller.queueUrl',
    'an SQS queue URL like https://sqs.eu-north-1.amazonaws.com/123456789012/lane-events',
    report,
    /^\/[^/]+\/[^/]+$/,
  );
  return ok && queueUrl ? Object.freeze({ type, queueUrl }) : undefined;
}

function checkUrl(
  raw: unknown,
  field: string,
  expected: string,
  report: FieldReport,
  pathShape?: RegExp,
): string | undefined {
  if (raw === undefined) {
    report.fail(field, `required: ${expected}`);
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  if (url && (url.username || url.password)) {
    // Not echoed: the userinfo is most likely a credential.
    report.fail(field, 'must not contain user:password@ credentials');
    return undefined;
  }
  const allowedScheme =
    url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname));
  if (!url || !allowedScheme || url.hash || (pathShape && !pathShape.test(url.pathname))) {
    report.fail(
      field,
      `expected ${expected}, got ${typeof raw === 'string' && raw.includes('@') ? 'a URL with "@"' : describe(raw)}`,
    );
    return undefined;
  }
  return raw as string;
}
