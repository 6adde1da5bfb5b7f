// Structured JSON logs (winston). Secrets never reach a log line: values under sensitive keys are
// replaced, and any registered secret value (webhook secrets, client secret, JWT keys, customer tokens)
// is scrubbed from every string, wherever it appears.
import winston from 'winston';

export type Logger = winston.Logger;

const SENSITIVE_KEY =
  /(customer_?token|secret|authorization|password|api_?key|subscription_?key|access_?token|^token$|jwt)/i;
export const REDACTED = '[redacted]';

const knownSecrets = new Set<string>();

/** Register a value that must never be logged verbatim (min length 6 to avoid scrubbing common words). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) knownSecrets.add(value);
}

export function scrubString(s: string): string {
  let out = s;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return scrubString(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: scrubString(value.message) };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = SENSITIVE_KEY.test(k) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  return value;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    (info as Record<string, unknown>)[key] = SENSITIVE_KEY.test(key) ? REDACTED : redact(info[key]);
  }
  return info;
});

export function createLogger(
  options: { level?: string; stream?: NodeJS.WritableStream; silent?: boolean } = {},
): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return skipDisabledLevels(
    winston.createLogger({
      level: options.level ?? 'info',
      silent: options.silent ?? false,
      format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
      defaultMeta: { service: 'checkin-gateway' },
      transports: [transport],
    }),
  );
}

// winston runs the whole format chain (redaction included) for every call and drops a disabled level only in
// the transport; checking the level first makes an info line free at LOG_LEVEL=warn. Child loggers inherit
// these methods.
function skipDisabledLevels(logger: Logger): Logger {
  const methods = logger as unknown as Record<string, (...args: unknown[]) => Logger>;
  for (const level of Object.keys(logger.levels)) {
    const write = methods[level];
    if (typeof write !== 'function') continue;
    methods[level] = function (this: Logger, ...args: unknown[]): Logger {
      return this.isLevelEnabled(level) ? write.apply(this, args) : this;
    };
  }
  return logger;
}

/** A logger that writes nowhere, for tests that do not inspect logs. */
export function silentLogger(): Logger {
  return createLogger({ silent: true });
}
