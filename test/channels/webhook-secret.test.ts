import { randomBytes } from 'node:crypto';
import { ChannelConfigError } from '../../src/channels/channel';
import { resolveWebhookSecret } from '../../src/channels/webhook-secret';

function configError(fn: () => unknown): ChannelConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelConfigError);
    return err as ChannelConfigError;
  }
  throw new Error('expected a ChannelConfigError');
}

describe('resolveWebhookSecret', () => {
  it('returns a whsec_ secret of 32 random bytes from the named variable', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    expect(
      resolveWebhookSecret('LANE_HOOK_SECRET', (name) => (name === 'LANE_HOOK_SECRET' ? secret : undefined)),
    ).toBe(secret);
  });

  it('names the missing variable', () => {
    const err = configError(() => resolveWebhookSecret('LANE_HOOK_SECRET', () => undefined));
    expect(err.code).toBe('webhook_secret_missing');
    expect(err.message).toBe(
      'LANE_HOOK_SECRET is not set: the webhook channel needs its Standard Webhooks secret (whsec_…)',
    );
  });

  it.each([
    ['a raw passphrase', 'correct-horse-battery-staple-1234567890'],
    ['a prefix with non-base64 text', 'whsec_not base64 at all!!'],
    ['a key shorter than 24 bytes', `whsec_${randomBytes(16).toString('base64')}`],
    ['a key longer than 64 bytes', `whsec_${randomBytes(65).toString('base64')}`],
  ])('rejects %s without printing it', (_label, value) => {
    const err = configError(() => resolveWebhookSecret('LANE_HOOK_SECRET', () => value));
    expect(err.code).toBe('webhook_secret_invalid');
    expect(err.message).toBe(
      'LANE_HOOK_SECRET is invalid: expected "whsec_" followed by the base64 of 24 to 64 random bytes, ' +
        'e.g. whsec_$(openssl rand -base64 32)',
    );
    expect(err.message).not.toContain(value);
  });
});
