// `work` (worker + outbox + sweeper): no load balancer, no inbound traffic. Step scaling on the intake
// queue: depth (ApproximateNumberOfMessagesVisible) says how much is waiting, the age of the oldest message
// says how late the oldest lane is. Both scale out; each scales in when its own signal is calm.
// More tasks only help with many busy lanes: a lane's jobs run one at a time (FIFO group) whatever the count.
import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { gatewayService } from './gateway-service';
import { GatewayTask } from './gateway-task';

export interface WorkServiceProps {
  readonly cluster: ecs.ICluster;
  readonly task: GatewayTask;
  readonly intake: sqs.IQueue;
  readonly minCount: number;
  readonly maxCount: number;
}

export class WorkService extends Construct {
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: WorkServiceProps) {
    super(scope, id);
    ({ service: this.service, securityGroup: this.securityGroup } = gatewayService(this, {
      cluster: props.cluster,
      task: props.task,
      serviceName: 'checkin-gateway-work',
      securityGroupDescription: 'checkin-gateway work tasks: no inbound traffic',
      desiredCount: props.minCount,
    }));

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: props.minCount,
      maxCapacity: props.maxCount,
    });
    const period = Duration.minutes(1);
    scaling.scaleOnMetric('QueueDepth', {
      metric: props.intake.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 10, change: -1 },
        { lower: 200, change: +1 },
        { lower: 1000, change: +3 },
      ],
      cooldown: Duration.seconds(120),
    });
    scaling.scaleOnMetric('OldestMessageAge', {
      metric: props.intake.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 5, change: -1 },
        { lower: 30, change: +1 },
        { lower: 120, change: +3 },
      ],
      cooldown: Duration.seconds(120),
    });
  }
}
