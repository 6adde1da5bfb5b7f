// The Fargate service both roles run their task in, with its own security group: private subnets, no public
// IP, rolling deploys that never drop below the desired count, and a circuit breaker that rolls a failing
// deployment back. The role's construct adds what differs (load balancer, scaling).
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { GatewayTask } from './gateway-task';

export interface GatewayServiceProps {
  readonly cluster: ecs.ICluster;
  readonly task: GatewayTask;
  readonly serviceName: string;
  /** Says what may reach the tasks. */
  readonly securityGroupDescription: string;
  readonly desiredCount: number;
  /** Only for a service behind a load balancer. */
  readonly healthCheckGracePeriod?: Duration;
  /** More security groups for the tasks (serve: the admin listener's own). */
  readonly extraSecurityGroups?: readonly ec2.ISecurityGroup[];
}

/** The service and its security group, created in `scope` as 'Service' and 'SecurityGroup'. */
export function gatewayService(
  scope: Construct,
  props: GatewayServiceProps,
): { service: ecs.FargateService; securityGroup: ec2.SecurityGroup } {
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.cluster.vpc,
    description: props.securityGroupDescription,
  });
  const service = new ecs.FargateService(scope, 'Service', {
    serviceName: props.serviceName,
    cluster: props.cluster,
    taskDefinition: props.task.taskDefinition,
    desiredCount: props.desiredCount,
    securityGroups: [securityGroup, ...(props.extraSecurityGroups ?? [])],
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    assignPublicIp: false,
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
    ...(props.healthCheckGracePeriod ? { healthCheckGracePeriod: props.healthCheckGracePeriod } : {}),
    propagateTags: ecs.PropagatedTagSource.SERVICE,
  });
  return { service, securityGroup };
}
