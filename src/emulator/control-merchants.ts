// Per sales unit settings in the control API: `PUT /emulator/v1/merchants/{msn}` with `{"partialCapture": false}`
// makes that MSN refuse a capture of less than the remaining reservation (6140, payment-rules.ts);
// `GET /emulator/v1/merchants/{msn}` shows the settings (the defaults for an MSN never set). PUT replaces the
// settings: a field left out returns to its default. Reset forgets them all.
import express, { type Request, type Response, type Router } from 'express';
import type { EmulatorContext } from './context';
import { invalid, isObject, unknownFields } from './control-problem';
import { merchantSettings } from './payment-rules';
import { DEFAULT_MERCHANT_SETTINGS, type MerchantSettings } from './state';

const PATH = '/emulator/v1/merchants/:msn';
const MSN = /^[A-Za-z0-9_-]{1,64}$/;

export function parseMerchantSettings(body: unknown): MerchantSettings | { errors: string[] } {
  if (!isObject(body)) return { errors: ['the body must be a JSON object'] };
  const errors: string[] = [];
  const unknown = unknownFields(body, ['partialCapture']);
  if (unknown) errors.push(unknown);
  const given = body['partialCapture'];
  const partialCapture = given === undefined ? DEFAULT_MERCHANT_SETTINGS.partialCapture : given;
  if (typeof partialCapture !== 'boolean') errors.push('partialCapture must be a boolean');
  return errors.length > 0 ? { errors } : { partialCapture: partialCapture as boolean };
}

export function merchantsControlRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  const msnOf = (req: Request, res: Response): string | undefined => {
    const msn = String(req.params['msn']);
    if (MSN.test(msn)) return msn;
    invalid(res, 'msn must be 1-64 characters of A-Z a-z 0-9 _ -');
    return undefined;
  };

  router.get(PATH, (req, res) => {
    const msn = msnOf(req, res);
    if (msn !== undefined) res.json({ msn, ...merchantSettings(ctx, msn) });
  });

  router.put(PATH, (req, res) => {
    const msn = msnOf(req, res);
    if (msn === undefined) return;
    const parsed = parseMerchantSettings(req.body);
    if ('errors' in parsed) return invalid(res, parsed.errors.join('; '));
    ctx.state.merchants.set(msn, parsed);
    res.json({ msn, ...parsed });
  });

  return router;
}
