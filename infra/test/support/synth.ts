// One synthesized stack per test file (a synth takes ~1-2 s): build it in beforeAll, assert many times.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CheckinGatewayStack } from '../../lib/checkin-gateway-stack';
import { readSettings } from '../../lib/settings';

export interface Synthesized {
  readonly app: App;
  readonly stack: CheckinGatewayStack;
  readonly template: Template;
}

export function synthStack(
  context: Readonly<Record<string, unknown>> = {},
  options: { readonly acknowledgeNagFindings?: boolean } = {},
): Synthesized {
  const app = new App({ context: { '@aws-cdk/core:checkSecretUsage': true, ...context } });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new CheckinGatewayStack(app, settings.stackName, {
    settings,
    env: { account: settings.account, region: settings.region },
    ...(options.acknowledgeNagFindings === undefined
      ? {}
      : { acknowledgeNagFindings: options.acknowledgeNagFindings }),
  });
  return { app, stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: Record<string, unknown> };

/** The only resource of a type whose properties satisfy `where`; fails loudly when there are 0 or several. */
export function onlyResource(
  template: Template,
  type: string,
  where: (props: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const found = Object.values(template.findResources(type) as Record<string, Resource>).filter((r) =>
    where(r.Properties),
  );
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0]!.Properties;
}
