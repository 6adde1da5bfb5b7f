// `controllers token --lane ID [--ttl 1h] [--key N]`: a controller JWT for onboarding a machine, printed once
// on stdout (nothing else there, so `$(checkin-gateway controllers token …)` works) and never logged.
// With CONTROLLER_JWT_KEYS in this environment it is signed here; without, the running gateway signs it (the
// sandbox's generated key lives only in that process).
import { adminJson, findRunningAdmin } from '../admin/cli-access';
import { MintError, mintControllerToken, parseTtl, type MintedToken } from '../admin/controller-token';
import { loadConfig } from '../config';
import { loadLanesFile } from '../lanes/load';
import { systemClock } from '../clock';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from './command';
import { positiveInt } from './option-values';

export const controllersTokenCommand: Command = {
  name: 'controllers token',
  summary: 'Mint a controller API token (JWT) for one lane from a configured key; printed once, never logged',
  usage: 'controllers token --lane ID [--ttl 1h] [--key N]',
  options: {
    lane: { type: 'string' },
    ttl: { type: 'string' },
    key: { type: 'string' },
  },
  async run({ values }, io) {
    const laneId = values['lane'];
    if (typeof laneId !== 'string' || laneId === '') throw new UsageError('--lane ID is required');
    const ttlText = typeof values['ttl'] === 'string' ? values['ttl'] : '1h';
    const ttlS = parseTtl(ttlText);
    if (ttlS === undefined || ttlS < 1)
      throw new UsageError('--ttl must be e.g. 1h, 30m, 45s, 2d or seconds');
    const keyNumber = positiveInt(values, 'key', 1000);
    const config = loadConfig(io.env, { requireWebhookSecrets: false });
    let minted: MintedToken;
    try {
      if (config.controllerJwt.keys.length > 0) {
        const lanes = await loadLanesFile(config.lanesFile);
        if (!lanes.some((l) => l.id === laneId))
          throw new MintError(`no lane ${laneId} in ${config.lanesFile}`);
        minted = mintControllerToken({
          keys: config.controllerJwt.keys,
          ...(keyNumber ? { keyNumber } : {}),
          laneId,
          ttlS,
          maxTtlS: config.controllerJwt.maxTtlS,
          audience: config.controllerJwt.audience,
          issuer: config.controllerJwt.issuer,
          now: systemClock.now(),
        });
      } else {
        const admin = await findRunningAdmin(config);
        if (!admin)
          throw new MintError(
            'no CONTROLLER_JWT_KEYS here and no running gateway on this DATA_DIR to sign with its key',
          );
        minted = await adminJson<MintedToken>(admin, 'POST', '/admin/v1/controllers/token', {
          lane: laneId,
          ttl: ttlS,
          ...(keyNumber ? { key: keyNumber } : {}),
        });
      }
    } catch (err) {
      if (!(err instanceof MintError) && (err as { name?: string }).name !== 'AdminAnswerError') throw err;
      io.err(`cannot mint: ${(err as Error).message}`);
      return EXIT_FAILURE;
    }
    io.out(minted.token);
    io.err(`token for lane ${minted.laneId}, signed with ${minted.key}, expires ${minted.expiresAt}`);
    return EXIT_OK;
  },
};
