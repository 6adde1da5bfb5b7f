// The Vipps port's public surface: the client, its typed errors and the response types callers branch on.
export { createVippsClient, vippsBaseUrl, SANDBOX_CREDENTIALS } from './client';
export type { VippsClient, VippsClientOptions } from './client';
export { VippsTransport } from './transport';
export type { ExecuteOptions, VippsTransportOptions } from './transport';
export { AccessTokenCache } from './token';
export type { VippsCredentials } from './token';
export * from './errors';
export type { Amount, Currency } from './input-checks';
export type {
  Payment,
  PaymentAggregate,
  PaymentEvent,
  PaymentEventName,
  PaymentModification,
  PaymentState,
  ResponseAmount,
} from './epayment-types';
export { PAYMENT_EVENT_NAMES, PAYMENT_STATES } from './epayment-types';
export type { CancelInput, CreatePaymentInput, ModifyInput, PaymentRef } from './epayment';
export type { MerchantCallbackQr, PutQrInput, QrImageOptions, QrRef } from './qr';
export type {
  CreateRedirectQrInput,
  MerchantRedirectQr,
  RedirectQrAccept,
  RedirectQrRef,
  RedirectQrShow,
} from './qr-redirect';
export type { RegisterWebhookInput, Webhook, WebhookRegistration, WebhookScope } from './webhooks';
export type { VippsRequest } from './request';
export type { RetryPolicy } from './retry';
