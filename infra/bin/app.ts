#!/usr/bin/env node
// CDK app: settings come from context (`-c key=value`, see lib/settings.ts), never from AWS lookups, so
// `cdk synth` runs offline. `-c nag=false` skips the cdk-nag AwsSolutions checks (on by default).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CheckinGatewayStack } from '../lib/checkin-gateway-stack';
import { readSettings } from '../lib/settings';

const app = new App();
const settings = readSettings((key) => app.node.tryGetContext(key));
new CheckinGatewayStack(app, settings.stackName, {
  settings,
  env: { account: settings.account, region: settings.region },
  description:
    'checkin-gateway aws profile: SQS FIFO, Aurora PostgreSQL Serverless v2, ECS Fargate serve + work',
});
if (app.node.tryGetContext('nag') !== 'false' && app.node.tryGetContext('nag') !== false) {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
