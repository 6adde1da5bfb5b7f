// CONTROLLER_JWT_KEYS: a comma-separated list; each entry names its own algorithm so a key can never be used
// with another algorithm family (no HS/RS confusion: an RSA public key is never an HMAC secret).
//   hs256:<secret>            HMAC secret, used as UTF-8 bytes, at least 32 characters   ⇒ HS256
//   pem:<base64 of a PEM>     e.g. pem:$(base64 -w0 controller.pub.pem)                   ⇒ RS256 / ES256
//   -----BEGIN PUBLIC KEY-----\nMIIB…\n-----END PUBLIC KEY-----   a PEM with literal \n escapes
// RSA public keys (≥ 2048 bits) give RS256, EC P-256 public keys give ES256. Errors name the entry by
// position, never by value.
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';

export type ControllerAlgorithm = 'HS256' | 'RS256' | 'ES256';

export interface ControllerKey {
  readonly alg: ControllerAlgorithm;
  readonly key: KeyObject;
  /** "key 2 (RS256)": safe to log. */
  readonly label: string;
}

export class ControllerKeyError extends Error {
  override readonly name = 'ControllerKeyError';
  readonly code = 'invalid_controller_key';
  constructor(position: number, total: number, problem: string) {
    super(`CONTROLLER_JWT_KEYS entry ${position} of ${total} is invalid: ${problem}`);
  }
}

const MIN_HS256_SECRET = 32;
const MIN_RSA_BITS = 2048;
const FORMS =
  'expected hs256:<secret>, pem:<base64 of a PEM public key> or a PEM public key with \\n escapes';

/** An `hs256:` entry's secret as the key both ends use: its UTF-8 bytes. */
export function hs256Key(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export function parseControllerKeys(entries: readonly string[]): ControllerKey[] {
  return entries.map((raw, i) => {
    const position = i + 1;
    const fail = (problem: string) => new ControllerKeyError(position, entries.length, problem);
    const entry = raw.trim();
    if (entry.startsWith('hs256:')) {
      const secret = entry.slice('hs256:'.length);
      if (secret.length < MIN_HS256_SECRET) {
        throw fail(`an HS256 secret needs at least ${MIN_HS256_SECRET} characters`);
      }
      return {
        alg: 'HS256',
        key: hs256Key(secret),
        label: `key ${position} (HS256)`,
      };
    }
    let pem: string;
    if (entry.startsWith('pem:')) {
      pem = Buffer.from(entry.slice('pem:'.length), 'base64').toString('utf8');
    } else if (entry.startsWith('-----BEGIN')) {
      pem = entry.replace(/\\n/g, '\n');
    } else {
      throw fail(FORMS);
    }
    const { alg, key } = publicKey(pem, fail);
    return { alg, key, label: `key ${position} (${alg})` };
  });
}

function publicKey(
  pem: string,
  fail: (problem: string) => ControllerKeyError,
): { alg: ControllerAlgorithm; key: KeyObject } {
  if (/PRIVATE KEY-----/.test(pem)) throw fail('it is a private key; configure the public key only');
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) throw fail(FORMS);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw fail('the PEM public key cannot be read');
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS)
      throw fail(`an RSA key needs at least ${MIN_RSA_BITS} bits`);
    return { alg: 'RS256', key };
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return { alg: 'ES256', key };
  const kind =
    key.asymmetricKeyType === 'ec' ? `EC ${details.namedCurve ?? ''}`.trim() : String(key.asymmetricKeyType);
  throw fail(`${kind} keys are not supported: use RSA (RS256) or EC P-256 (ES256)`);
}
