// The ePayment error codes Vipps puts in a problem body (`extraDetails: [{name: "ErrorCode", reason: "6280"}]`),
// each with what the gateway does about it (docs/vipps-error-codes.md explains the three actions).
// Sources: vippsas/agent-toolkit@e00db21 plugins/vipps/skills/epayment/references/errors.md and SKILL.md
// (the official Vipps MobilePay agent skills), which mirror
// https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/errors/ ; vipps-protocol.md §6.6.
// Titles are Vipps's (reworded by Vipps over time, so never branched on); notes say why the action.
import type { FailureAction } from './error-codes';

export type ErrorCodeRow = readonly [code: string, title: string, action: FailureAction, note: string];

const RETRY = 'retry-same-key';
const READ = 'read-then-decide';
const PERMANENT = 'permanent';

const MERCHANT_SETUP = 'Sales-unit configuration: no retry or code change helps, the merchant has to act';
const NOT_SENT = 'The gateway never sends this field; seeing it means a bug of ours, which a retry repeats';
const TEST_ONLY = 'Test environment only (force approve), which the gateway never calls';

export const ERROR_CODE_ROWS: readonly ErrorCodeRow[] = [
  // Internal
  [
    '3010',
    'Internal error',
    RETRY,
    'A Vipps-side failure; the same key makes a repeat safe. Vipps adds it is often a malformed request: ' +
      'if it persists, the operation runs out of time and ends in needs-attention',
  ],
  // Invalid request
  [
    '4010',
    'Capture idempotency conflict',
    READ,
    'This key was already used with another body, so a capture under it exists: the aggregate says what moved',
  ],
  [
    '4020',
    'Idempotency error',
    READ,
    'The key already belongs to an operation; our keys are derived from the session, so it is likely ours',
  ],
  ['4040', 'Invalid amount', PERMANENT, 'Not an integer in minor units: a bug, the same request fails again'],
  [
    '4050',
    'Invalid CustomerToken',
    PERMANENT,
    'The check-in token is invalid or past its 15 minutes; the session ends (operation-results.ts)',
  ],
  ['4060', 'Invalid PersonalQr', PERMANENT, NOT_SENT],
  ['4070', 'Invalid phone number', PERMANENT, 'The gateway pays by customer token, never by number: a bug'],
  ['4080', 'Invalid scope', PERMANENT, NOT_SENT],
  ['4090', 'Invalid URL', PERMANENT, NOT_SENT],
  ['4100', 'Metadata capacity exceeded', PERMANENT, NOT_SENT],
  ['4110', 'Metadata duplicate keys not allowed', PERMANENT, NOT_SENT],
  ['4120', 'Metadata key length exceeded', PERMANENT, NOT_SENT],
  ['4130', 'Metadata value length exceeded', PERMANENT, NOT_SENT],
  ['4140', 'Missing required parameter', PERMANENT, 'A field this flow needs is missing: a bug of ours'],
  [
    '4150',
    'Reference exists, or refund idempotency conflict',
    READ,
    'Our derived reference already has a payment (an earlier attempt of ours), or a refund under this ' +
      'key had another body: the payment says which',
  ],
  ['4160', 'Invalid payment method type', PERMANENT, NOT_SENT],
  // Merchant configuration
  ['5010', 'Blocking sources not applicable', PERMANENT, MERCHANT_SETUP],
  ['5020', 'Express payment not allowed', PERMANENT, MERCHANT_SETUP],
  ['5030', 'Illegal scope', PERMANENT, MERCHANT_SETUP],
  ['5040', 'Invalid currency for merchant', PERMANENT, "The lane's currency is not the sales unit's market"],
  ['5050', 'Long-living payment not allowed', PERMANENT, MERCHANT_SETUP],
  ['5060', 'Merchant bank account not verified', PERMANENT, MERCHANT_SETUP],
  ['5070', 'Payment cannot be created', PERMANENT, MERCHANT_SETUP],
  [
    '5080',
    'PUSH_MESSAGE not allowed',
    PERMANENT,
    'The sales unit is not approved for push payments; the session ends (operation-results.ts)',
  ],
  [
    '5090',
    'Reference not found',
    PERMANENT,
    "Vipps has no such reference for this MSN: the lane's MSN is wrong, and a read fails the same way",
  ],
  ['5100', 'Refund not possible', PERMANENT, MERCHANT_SETUP],
  // Payment
  ['6010', 'Amount too small', PERMANENT, 'Below the market minimum (NOK 1.00): the amount has to change'],
  ['6020', 'Attempted refund before reservation', READ, 'Depends on the payment state: read it'],
  [
    '6030',
    'Cancel period expired',
    PERMANENT,
    'Cancel works within 180 days and the capture deadline; past it nothing can be released by a call',
  ],
  [
    '6040',
    'Cannot cancel a captured payment',
    READ,
    'Fully captured already (perhaps by our own capture whose answer was lost); only a refund goes back',
  ],
  [
    '6050',
    'Cannot cancel a non-reserved payment',
    READ,
    'Not reserved (yet, or any more): the state decides',
  ],
  [
    '6060',
    'Cannot cancel authorized payment',
    READ,
    'cancelTransactionOnly after the customer approved: the payment is AUTHORIZED, read it',
  ],
  [
    '6070',
    'Cannot capture a cancelled payment',
    READ,
    'Cancelled by us or the merchant portal; the aggregate says what was captured before',
  ],
  [
    '6080',
    'Cannot capture before reservation',
    READ,
    'We capture only after AUTHORIZED, so our view is behind or ahead of Vipps: read',
  ],
  [
    '6090',
    'Capture amount too high',
    READ,
    'Captures would pass the authorized amount; an earlier capture of ours may already count: read',
  ],
  [
    '6100',
    'Capture period expired',
    PERMANENT,
    'The reservation is gone; the money cannot be collected (Norway 180 days, DK/FI 14 by default)',
  ],
  ['6110', 'Expiration date is too late', PERMANENT, NOT_SENT],
  ['6120', 'Expiration date is too soon', PERMANENT, NOT_SENT],
  ['6130', 'Long living payments require a receipt', PERMANENT, NOT_SENT],
  [
    '6140',
    'Must capture full amount',
    PERMANENT,
    'The sales unit refuses partial capture: no retry changes it; settlement has its own strategy for it',
  ],
  ['6150', 'Not enough refundable', READ, 'More than captured minus refunded: read what is left'],
  [
    '6160',
    'Order processing',
    RETRY,
    'Another operation holds the payment; Vipps says retry shortly, and the same key keeps it one operation',
  ],
  ['6170', 'Payment already captured', READ, 'Perhaps by our own capture whose answer was lost: read'],
  ['6180', 'Payment already refunded', READ, 'Perhaps by our own refund whose answer was lost: read'],
  ['6190', 'Payment cannot be cancelled', READ, 'Wrong state for a cancel: read it'],
  ['6200', 'Payment cannot be captured', READ, 'Wrong state for a capture: read it'],
  ['6210', 'Payment cannot be refunded', READ, 'Wrong state for a refund: read it'],
  [
    '6220',
    'Refund period expired',
    PERMANENT,
    'Refunds work within 365 days; past it the customer has to be paid back outside Vipps',
  ],
  [
    '6230',
    'Payment is already reserved',
    READ,
    'The derived reference is already authorized: a create of ours that succeeded',
  ],
  [
    '6250',
    'Cannot cancel processing payment',
    RETRY,
    'The payment is being processed; Vipps says retry the cancel later',
  ],
  [
    '6260',
    'Funds unavailable',
    RETRY,
    'The bank released the reservation early; Vipps says the funds may come back. Retried until the ' +
      'capture deadline, then needs-attention',
  ],
  [
    '6280',
    'Capture failed, please try again later',
    RETRY,
    'Vipps says: retry the capture with the same idempotency key after a short wait',
  ],
  // Users
  [
    '7010',
    'Customer not found',
    PERMANENT,
    'No eligible user, or minimumUserAge blocks them; not something a retry changes',
  ],
  // Test environment only
  ['10010', 'Approve failed', PERMANENT, TEST_ONLY],
  ['10020', 'Approve not allowed', PERMANENT, TEST_ONLY],
  ['10030', 'Identification required', PERMANENT, TEST_ONLY],
  ['10040', 'Invalid payment source', PERMANENT, TEST_ONLY],
  ['10050', 'No cards', PERMANENT, TEST_ONLY],
  ['10060', 'Operation not supported', PERMANENT, TEST_ONLY],
  ['10070', 'Payment limit exceeded', PERMANENT, TEST_ONLY],
];
