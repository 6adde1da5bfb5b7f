// A controller API under test: the real router on a bare express app, real keys in every supported
// CONTROLLER_JWT_KEYS form, an in-memory lane registry and the fake service.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import express, { type Express } from 'express';
import jwt from 'jsonwebtoken';
import { FakeClock } from '../../src/clock';
import { parseControllerKeys } from '../../src/controller-api/auth';
import { createControllerRouter } from '../../src/controller-api/routes';
import type { Lane, LaneRegistry } from '../../src/lanes/lane';
import { silentLogger } from '../../src/log';
import { FakeControllerService } from '../support/fake-controller-service';

export const hsSecret = randomBytes(32).toString('hex');
export const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

export const pem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

/** One entry per supported form: hs256:, pem:<base64>, and an inline PEM with literal \n escapes. */
export const keyEntries = [
  `hs256:${hsSecret}`,
  `pem:${Buffer.from(pem(rsa.publicKey)).toString('base64')}`,
  pem(ec.publicKey).trim().replace(/\n/g, '\\n'),
];

const lane = (l: Partial<Lane> & Pick<Lane, 'id' | 'kind'>): Lane => ({
  msn: '123456',
  merchantQrId: l.id,
  description: l.id,
  currency: 'NOK',
  enabled: true,
  controller: { type: 'log' },
  ...l,
});

export const lanes: readonly Lane[] = [
  lane({ id: 'vend-oslo-1', kind: 'vending', maxAmount: 10000 }),
  lane({ id: 'shop-bergen-3', kind: 'self-checkout' }),
  lane({ id: 'shop-aarhus-1', kind: 'self-checkout', currency: 'DKK' }),
];

export function laneRegistry(all: readonly Lane[]): LaneRegistry {
  return {
    byId: (id) => all.find((l) => l.id === id),
    byQr: (msn, qr) => all.find((l) => l.msn === msn && l.merchantQrId === qr),
    all: () => all,
    size: all.length,
  };
}

export interface Harness {
  readonly app: Express;
  readonly clock: FakeClock;
  readonly service: FakeControllerService;
  /** Seconds since the epoch on the harness clock. */
  nowS(): number;
}

export interface HarnessOptions {
  readonly audience?: string;
  readonly issuer?: string;
  /** CONTROLLER_JWT_MAX_TTL_S; default the router's own (86400). */
  readonly maxLifetimeS?: number;
  /** CONTROLLER_FAILED_AUTH_LIMIT_PER_MIN; default the router's own (30). */
  readonly failedAuthLimitPerMin?: number;
  readonly trustProxy?: boolean;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const clock = new FakeClock();
  const service = new FakeControllerService(clock);
  const app = express();
  if (options.trustProxy) app.set('trust proxy', true);
  app.use(
    createControllerRouter({
      service,
      refund: (sessionId, ask, by) => service.refund(sessionId, ask, by),
      lanes: () => laneRegistry(lanes),
      auth: {
        keys: parseControllerKeys(keyEntries),
        audience: options.audience,
        issuer: options.issuer,
        clock,
        ...(options.maxLifetimeS === undefined ? {} : { maxLifetimeS: options.maxLifetimeS }),
      },
      ...(options.failedAuthLimitPerMin === undefined
        ? {}
        : { failedAuthLimitPerMin: options.failedAuthLimitPerMin }),
      logger: silentLogger(),
    }),
  );
  return { app, clock, service, nowS: () => Math.floor(clock.now().getTime() / 1000) };
}

export type SigningKey = { alg: 'HS256'; key: string } | { alg: 'RS256' | 'ES256'; key: KeyObject };

export const signers = {
  hs: { alg: 'HS256', key: hsSecret },
  rs: { alg: 'RS256', key: rsa.privateKey },
  es: { alg: 'ES256', key: ec.privateKey },
} as const satisfies Record<string, SigningKey>;

/** Signs exactly the given claims (no implicit iat), so tests control exp/aud/iss/lanes. */
export function token(claims: Record<string, unknown>, signer: SigningKey = signers.hs): string {
  // jsonwebtoken's noTimestamp also deletes an explicit iat, so it is set only when the claims have none.
  return jwt.sign(claims, signer.key, { algorithm: signer.alg, noTimestamp: claims.iat === undefined });
}

export function bearer(claims: Record<string, unknown>, signer?: SigningKey): string {
  return `Bearer ${token(claims, signer)}`;
}
