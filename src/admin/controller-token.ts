// Minting a controller JWT for onboarding (`controllers token`, POST /admin/v1/controllers/token): signed with
// one configured `hs256:` key of CONTROLLER_JWT_KEYS (a `pem:` entry is a public key and cannot sign), with
// the claims the controller API demands (src/controller-api/auth.ts): exp within CONTROLLER_JWT_MAX_TTL_S,
// iat, `lanes: [id]`, and aud/iss when configured. The token is returned to the caller only: never logged.
import jwt from 'jsonwebtoken';
import { hs256Key } from '../controller-api/controller-keys';

export class MintError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MintError';
  }
}

/** `1h`, `30m`, `45s`, `2d` or plain seconds. */
export function parseTtl(text: string): number | undefined {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}

export interface MintRequest {
  /** The CONTROLLER_JWT_KEYS entries (as configured). */
  readonly keys: readonly string[];
  /** 1-based entry of keys; default the first `hs256:` entry. */
  readonly keyNumber?: number;
  readonly laneId: string;
  readonly ttlS: number;
  readonly maxTtlS: number;
  readonly audience: string | undefined;
  readonly issuer: string | undefined;
  readonly now: Date;
}

export interface MintedToken {
  readonly token: string;
  readonly laneId: string;
  readonly expiresAt: string;
  /** Which entry signed it: "key 1 (HS256)". */
  readonly key: string;
}

export function mintControllerToken(r: MintRequest): MintedToken {
  if (r.keys.length === 0)
    throw new MintError('no CONTROLLER_JWT_KEYS configured: set an hs256:<secret> entry to mint tokens with');
  if (!Number.isSafeInteger(r.ttlS) || r.ttlS < 1)
    throw new MintError('the lifetime must be at least 1 s (e.g. 1h, 30m)');
  if (r.ttlS > r.maxTtlS)
    throw new MintError(
      `the lifetime ${r.ttlS} s exceeds CONTROLLER_JWT_MAX_TTL_S=${r.maxTtlS}; the controller API would refuse it`,
    );
  let index: number;
  if (r.keyNumber === undefined) {
    index = r.keys.findIndex((k) => k.trim().startsWith('hs256:'));
    if (index < 0)
      throw new MintError(
        'no hs256: entry in CONTROLLER_JWT_KEYS: public keys (pem:) verify only; sign with the private key',
      );
  } else {
    index = r.keyNumber - 1;
    if (index < 0 || index >= r.keys.length)
      throw new MintError(`--key ${r.keyNumber}: CONTROLLER_JWT_KEYS has ${r.keys.length} entries`);
    if (!r.keys[index]!.trim().startsWith('hs256:'))
      throw new MintError(
        `CONTROLLER_JWT_KEYS entry ${r.keyNumber} is a public key: it verifies tokens but cannot sign one`,
      );
  }
  const secret = r.keys[index]!.trim().slice('hs256:'.length);
  const iat = Math.floor(r.now.getTime() / 1000);
  const options: jwt.SignOptions = { algorithm: 'HS256', subject: `lane:${r.laneId}` };
  if (r.audience !== undefined) options.audience = r.audience;
  if (r.issuer !== undefined) options.issuer = r.issuer;
  const token = jwt.sign({ lanes: [r.laneId], iat, exp: iat + r.ttlS }, hs256Key(secret), options);
  return {
    token,
    laneId: r.laneId,
    expiresAt: new Date((iat + r.ttlS) * 1000).toISOString(),
    key: `key ${index + 1} (HS256)`,
  };
}
