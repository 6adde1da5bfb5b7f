import { generateKeyPairSync } from 'node:crypto';
import { ControllerKeyError, parseControllerKeys } from '../../src/controller-api/auth';
import { ec, hsSecret, keyEntries, pem, rsa } from './harness';

function keyError(entries: string[]): ControllerKeyError {
  try {
    parseControllerKeys(entries);
  } catch (err) {
    expect(err).toBeInstanceOf(ControllerKeyError);
    return err as ControllerKeyError;
  }
  throw new Error('expected a ControllerKeyError');
}

describe('parseControllerKeys (CONTROLLER_JWT_KEYS)', () => {
  it('reads hs256:<secret>, pem:<base64 PEM> and an inline PEM with \\n escapes, each with its own algorithm', () => {
    const keys = parseControllerKeys(keyEntries);
    expect(keys.map((k) => [k.alg, k.label, k.key.type])).toEqual([
      ['HS256', 'key 1 (HS256)', 'secret'],
      ['RS256', 'key 2 (RS256)', 'public'],
      ['ES256', 'key 3 (ES256)', 'public'],
    ]);
    expect(keys[1]?.key.equals(rsa.publicKey)).toBe(true);
    expect(keys[2]?.key.equals(ec.publicKey)).toBe(true);
  });

  it('accepts a PEM with real newlines too', () => {
    expect(parseControllerKeys([pem(rsa.publicKey)]).map((k) => k.alg)).toEqual(['RS256']);
  });

  const pemEntry = (text: string) => `pem:${Buffer.from(text).toString('base64')}`;
  const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it.each([
    [
      'a bare secret',
      'just-a-long-shared-secret-without-a-prefix-0123456789',
      'expected hs256:<secret>, pem:<base64 of a PEM public key> or a PEM public key with \\n escapes',
    ],
    ['a short HS256 secret', 'hs256:short-secret-123', 'an HS256 secret needs at least 32 characters'],
    ['a private key', pemEntry(privatePem), 'it is a private key; configure the public key only'],
    [
      'an unreadable PEM',
      '-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----',
      'the PEM public key cannot be read',
    ],
    [
      'a 1024-bit RSA key',
      pemEntry(pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)),
      'an RSA key needs at least 2048 bits',
    ],
    [
      'an EC P-384 key',
      pemEntry(pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)),
      'EC secp384r1 keys are not supported: use RSA (RS256) or EC P-256 (ES256)',
    ],
    [
      'an Ed25519 key',
      pemEntry(pem(generateKeyPairSync('ed25519').publicKey)),
      'ed25519 keys are not supported: use RSA (RS256) or EC P-256 (ES256)',
    ],
  ])('rejects %s, naming the entry by position and never printing it', (_label, entry, problem) => {
    const err = keyError([`hs256:${hsSecret}`, entry]);
    expect(err.code).toBe('invalid_controller_key');
    expect(err.message).toBe(`CONTROLLER_JWT_KEYS entry 2 of 2 is invalid: ${problem}`);
    expect(err.message).not.toContain(hsSecret);
    expect(err.message).not.toContain(entry.slice(6, 30));
  });
});
