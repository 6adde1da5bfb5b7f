// The application secrets, one Secrets Manager secret per owner, each a JSON object whose field names are
// the environment variables the gateway reads (README "Configuration"), so an operator knows where a value
// goes by its name. The stack creates them with *closed* placeholder values: the gateway boots, but no
// webhook verifies (an unknown random secret), no controller token is accepted (an empty key list) and
// Vipps refuses the placeholder credentials, until the operator puts the real values
// (`aws secretsmanager put-secret-value`) and restarts the services. No real value ever sits in the template.
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const VIPPS_FIELDS = ['VIPPS_CLIENT_ID', 'VIPPS_CLIENT_SECRET', 'VIPPS_SUBSCRIPTION_KEY'] as const;
export const WEBHOOK_FIELD = 'VIPPS_WEBHOOK_SECRETS';
export const CONTROLLER_JWT_FIELD = 'CONTROLLER_JWT_KEYS';
export const OPERATOR_TOKENS_FIELD = 'OPERATOR_TOKENS';

/** Secret names: stable, so runbooks and `put-secret-value` commands can name them. */
export const SECRET_NAMES = {
  vipps: 'checkin-gateway/vipps',
  webhook: 'checkin-gateway/vipps-webhook',
  controllerJwt: 'checkin-gateway/controller-jwt',
  operators: 'checkin-gateway/operators',
} as const;

export class AppSecrets extends Construct {
  readonly vipps: secretsmanager.Secret;
  readonly webhook: secretsmanager.Secret;
  readonly controllerJwt: secretsmanager.Secret;
  readonly operators: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vipps = new secretsmanager.Secret(this, 'Vipps', {
      secretName: SECRET_NAMES.vipps,
      description: `Vipps MobilePay API credentials: JSON fields ${VIPPS_FIELDS.join(', ')}`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          VIPPS_CLIENT_ID: 'replace-me',
          VIPPS_SUBSCRIPTION_KEY: 'replace-me',
        }),
        generateStringKey: 'VIPPS_CLIENT_SECRET',
        excludePunctuation: true,
      },
    });
    this.webhook = new secretsmanager.Secret(this, 'Webhook', {
      secretName: SECRET_NAMES.webhook,
      description: `Vipps webhook secrets, comma-separated during a rotation: JSON field ${WEBHOOK_FIELD}`,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: WEBHOOK_FIELD,
        // A comma would split the placeholder into two secrets.
        excludePunctuation: true,
        passwordLength: 48,
      },
    });
    this.controllerJwt = new secretsmanager.Secret(this, 'ControllerJwt', {
      secretName: SECRET_NAMES.controllerJwt,
      description: `Controller API JWT keys (hs256:/pem: entries, comma-separated): JSON field ${CONTROLLER_JWT_FIELD}`,
      generateSecretString: {
        // A lone comma is a non-empty value (ECS injects it) that the gateway reads as an empty key list:
        // every controller call gets 401 until real keys are put. The generated field is unused.
        secretStringTemplate: JSON.stringify({ [CONTROLLER_JWT_FIELD]: ',' }),
        generateStringKey: 'unused',
        excludePunctuation: true,
      },
    });
    this.operators = new secretsmanager.Secret(this, 'Operators', {
      secretName: SECRET_NAMES.operators,
      description: `Admin API operator tokens (label:token or label:sha256:<hex>, comma-separated): JSON field ${OPERATOR_TOKENS_FIELD}`,
      generateSecretString: {
        // As for the controller keys: a lone comma is no token at all, so the admin API answers 401 to
        // everyone until real entries are put.
        secretStringTemplate: JSON.stringify({ [OPERATOR_TOKENS_FIELD]: ',' }),
        generateStringKey: 'unused',
        excludePunctuation: true,
      },
    });
  }
}
