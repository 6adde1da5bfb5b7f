// The Vipps client the rest of the gateway uses: thin wrappers that build a request with a factory and hand it
// to the transport. Pass `config.vipps` plus the adapters: createVippsClient({ ...config.vipps, fetch, clock }).
import { systemClock } from '../clock';
import type { Clock } from '../clock';
import { ConfigError } from '../config';
import type { VippsEnv } from '../config';
import { registerSecret } from '../log';
import * as epayment from './epayment';
import type { Payment, PaymentEvent, PaymentModification } from './epayment-types';
import * as qr from './qr';
import type { MerchantCallbackQr } from './qr';
import * as qrRedirect from './qr-redirect';
import type { MerchantRedirectQr } from './qr-redirect';
import { credentialsResolver } from './credentials';
import type { CredentialSet } from './credentials';
import type { VippsRequest } from './request';
import type { VippsCredentials } from './token';
import { VippsTransport } from './transport';
import type { ExecuteOptions, VippsTransportOptions } from './transport';
import * as webhooks from './webhooks';
import type { Webhook, WebhookRegistration } from './webhooks';

const BASE_URLS: Record<Exclude<VippsEnv, 'sandbox'>, string> = {
  test: 'https://apitest.vipps.no',
  production: 'https://api.vipps.no',
};

/** `test` = apitest, `production` = api; `sandbox` = the built-in emulator wherever it listens. */
export function vippsBaseUrl(env: VippsEnv, sandboxUrl: string): string {
  return env === 'sandbox' ? sandboxUrl.replace(/\/+$/, '') : BASE_URLS[env];
}

// The emulator accepts any non-empty credentials; these only ever go to the sandbox.
export const SANDBOX_CREDENTIALS: VippsCredentials = {
  clientId: 'sandbox-client-id',
  clientSecret: 'sandbox-client-secret',
  subscriptionKey: 'sandbox-subscription-key',
};

type Tunables = Omit<VippsTransportOptions, 'baseUrl' | 'credentials' | 'credentialsFor' | 'fetch' | 'clock'>;

export interface VippsClientOptions extends Tunables {
  readonly env: VippsEnv;
  /** Required for `sandbox`; for `test`/`production` it may only repeat the fixed URL. */
  readonly baseUrl?: string;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly subscriptionKey?: string | undefined;
  /**
   * Credentials per sales unit from VIPPS_CREDENTIALS_FILE (src/vipps/credentials.ts). When non-empty, every
   * call uses the set of its MSN and the three single-set values above are not used.
   */
  readonly credentialSets?: readonly CredentialSet[] | undefined;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

type Call<I, O> = (input: I, options?: ExecuteOptions) => Promise<O>;

export interface VippsClient {
  readonly transport: VippsTransport;
  readonly epayment: {
    readonly create: Call<epayment.CreatePaymentInput, { reference: string }>;
    readonly get: Call<epayment.PaymentRef, Payment>;
    readonly events: Call<epayment.PaymentRef, PaymentEvent[]>;
    readonly capture: Call<epayment.ModifyInput, PaymentModification>;
    readonly cancel: Call<epayment.CancelInput, PaymentModification>;
    readonly refund: Call<epayment.ModifyInput, PaymentModification>;
  };
  readonly qr: {
    readonly put: Call<qr.PutQrInput, void>;
    readonly get: Call<qr.QrRef & qr.QrImageOptions, MerchantCallbackQr>;
    readonly list: Call<{ readonly msn: string } & qr.QrImageOptions, MerchantCallbackQr[]>;
    readonly delete: Call<qr.QrRef, void>;
    /** Merchant-redirect codes (qr-redirect.ts): the redirect-qr lanes' stickers. */
    readonly redirect: {
      readonly create: Call<qrRedirect.CreateRedirectQrInput, MerchantRedirectQr>;
      readonly get: Call<qrRedirect.RedirectQrRef & qrRedirect.RedirectQrShow, MerchantRedirectQr>;
      readonly list: Call<{ readonly msn: string } & qrRedirect.RedirectQrShow, MerchantRedirectQr[]>;
      readonly update: Call<
        qrRedirect.RedirectQrRef & qrRedirect.RedirectQrShow & { readonly redirectUrl: string },
        MerchantRedirectQr
      >;
      readonly delete: Call<qrRedirect.RedirectQrRef, void>;
    };
  };
  readonly webhooks: {
    readonly register: Call<webhooks.RegisterWebhookInput, WebhookRegistration>;
    readonly list: Call<webhooks.WebhookScope, Webhook[]>;
    readonly delete: Call<webhooks.WebhookScope & { readonly id: string }, void>;
  };
}

export function createVippsClient(options: VippsClientOptions): VippsClient {
  const {
    env,
    baseUrl,
    clientId,
    clientSecret,
    subscriptionKey,
    credentialSets,
    fetch: fetchFn,
    clock,
    ...tunables
  } = options;
  const perSalesUnit = credentialSets !== undefined && credentialSets.length > 0;
  for (const set of credentialSets ?? []) {
    registerSecret(set.credentials.clientSecret);
    registerSecret(set.credentials.subscriptionKey);
  }
  const transport = new VippsTransport({
    ...tunables,
    baseUrl: resolveBaseUrl(env, baseUrl),
    ...(perSalesUnit
      ? { credentialsFor: credentialsResolver(credentialSets) }
      : { credentials: resolveCredentials(env, { clientId, clientSecret, subscriptionKey }) }),
    fetch: fetchFn ?? globalThis.fetch,
    clock: clock ?? systemClock,
  });
  // Async so that invalid input (thrown by the factory before anything is sent) rejects rather than throws.
  const via =
    <I, O>(factory: (input: I) => VippsRequest<O>) =>
    async (input: I, opts?: ExecuteOptions): Promise<O> =>
      transport.execute(factory(input), opts);
  return {
    transport,
    epayment: {
      create: via(epayment.createPayment),
      get: via(epayment.getPayment),
      events: via(epayment.getPaymentEvents),
      capture: via(epayment.capturePayment),
      cancel: via(epayment.cancelPayment),
      refund: via(epayment.refundPayment),
    },
    qr: {
      put: via(qr.putMerchantCallbackQr),
      get: via(qr.getMerchantCallbackQr),
      list: via(qr.listMerchantCallbackQrs),
      delete: via(qr.deleteMerchantCallbackQr),
      redirect: {
        create: via(qrRedirect.createMerchantRedirectQr),
        get: via(qrRedirect.getMerchantRedirectQr),
        list: via(qrRedirect.listMerchantRedirectQrs),
        update: via(qrRedirect.updateMerchantRedirectQr),
        delete: via(qrRedirect.deleteMerchantRedirectQr),
      },
    },
    webhooks: {
      register: async (input, opts) => {
        // Never retried: the POST has no idempotency, so a retry after a lost answer would meet the stored
        // registration (one check-in registration per sales unit) and its secret would be lost (issue 15).
        const registration = await transport.execute(webhooks.registerWebhook(input), {
          ...opts,
          maxAttempts: 1,
        });
        registerSecret(registration.secret);
        return registration;
      },
      list: async (input = {}, opts) => transport.execute(webhooks.listWebhooks(input), opts),
      delete: via(webhooks.deleteWebhook),
    },
  };
}

function resolveBaseUrl(env: VippsEnv, baseUrl: string | undefined): string {
  if (env === 'sandbox') {
    if (baseUrl === undefined)
      throw new ConfigError('VIPPS_BASE_URL', 'the emulator URL for VIPPS_ENV=sandbox');
    return vippsBaseUrl(env, baseUrl);
  }
  // Production never falls back to the sandbox: a real environment only talks to its own fixed URL.
  const fixed = vippsBaseUrl(env, '');
  if (baseUrl !== undefined && baseUrl.replace(/\/+$/, '') !== fixed)
    throw new ConfigError('VIPPS_BASE_URL', `unset when VIPPS_ENV=${env} (the base URL is fixed)`, baseUrl);
  return fixed;
}

function resolveCredentials(
  env: VippsEnv,
  c: { clientId: string | undefined; clientSecret: string | undefined; subscriptionKey: string | undefined },
): VippsCredentials {
  if (env === 'sandbox')
    return {
      clientId: c.clientId || SANDBOX_CREDENTIALS.clientId,
      clientSecret: c.clientSecret || SANDBOX_CREDENTIALS.clientSecret,
      subscriptionKey: c.subscriptionKey || SANDBOX_CREDENTIALS.subscriptionKey,
    };
  if (!c.clientId) throw new ConfigError('VIPPS_CLIENT_ID', `the client id for VIPPS_ENV=${env}`);
  if (!c.clientSecret) throw new ConfigError('VIPPS_CLIENT_SECRET', `the client secret for VIPPS_ENV=${env}`);
  if (!c.subscriptionKey)
    throw new ConfigError('VIPPS_SUBSCRIPTION_KEY', `the subscription key for VIPPS_ENV=${env}`);
  return { clientId: c.clientId, clientSecret: c.clientSecret, subscriptionKey: c.subscriptionKey };
}
