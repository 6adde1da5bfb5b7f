// The Standard Webhooks secret format: `whsec_` + base64 of 24..64 random bytes (the `standardwebhooks`
// package base64-decodes whatever follows the prefix, so a raw passphrase would silently become a different
// key on the receiver's side). Errors name the variable and the expected form, never the value.
import { ChannelConfigError } from './channel';

const PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MIN_BYTES = 24;
const MAX_BYTES = 64;

export type SecretLookup = (envName: string) => string | undefined;

export function resolveWebhookSecret(secretEnv: string, secrets: SecretLookup): string {
  const value = secrets(secretEnv)?.trim();
  if (!value) {
    throw new ChannelConfigError(
      'webhook_secret_missing',
      `${secretEnv} is not set: the webhook channel needs its Standard Webhooks secret (whsec_…)`,
    );
  }
  const body = value.startsWith(PREFIX) ? value.slice(PREFIX.length) : undefined;
  const bytes =
    body !== undefined && body.length > 0 && BASE64.test(body) ? Buffer.from(body, 'base64') : undefined;
  if (!bytes || bytes.length < MIN_BYTES || bytes.length > MAX_BYTES) {
    throw new ChannelConfigError(
      'webhook_secret_invalid',
      `${secretEnv} is invalid: expected "whsec_" followed by the base64 of ${MIN_BYTES} to ${MAX_BYTES} ` +
        'random bytes, e.g. whsec_$(openssl rand -base64 32)',
    );
  }
  return value;
}
