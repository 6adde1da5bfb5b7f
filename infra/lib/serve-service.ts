// `serve` (intake + controller API; stateless) behind an internet-facing ALB: HTTPS on 443 with a modern TLS
// policy, HTTP 80 only redirects, /readyz decides whether a task gets traffic, and the operator-only paths
// are not reachable from the internet. Scales on CPU.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { gatewayService } from './gateway-service';
import { ADMIN_CONTAINER_PORT, CONTAINER_PORT, GatewayTask } from './gateway-task';

export interface ServeServiceProps {
  readonly cluster: ecs.ICluster;
  readonly task: GatewayTask;
  readonly certificateArn: string;
  readonly desiredCount: number;
  readonly maxCount: number;
}

export class ServeService extends Construct {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  /**
   * The admin listener's own security group (ADMIN_PORT of the serve tasks): in only from
   * `adminClientSecurityGroup`, never from the load balancer.
   */
  readonly adminSecurityGroup: ec2.SecurityGroup;
  /** Attach to what operators reach the admin API from (a bastion, VPN endpoint or SSM-forwarding host). */
  readonly adminClientSecurityGroup: ec2.SecurityGroup;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ServeServiceProps) {
    super(scope, id);
    const vpc = props.cluster.vpc;
    this.adminSecurityGroup = new ec2.SecurityGroup(this, 'AdminSecurityGroup', {
      vpc,
      description: 'checkin-gateway admin API (ADMIN_PORT of the serve tasks): in from admin clients only',
      allowAllOutbound: false,
    });
    this.adminClientSecurityGroup = new ec2.SecurityGroup(this, 'AdminClientSecurityGroup', {
      vpc,
      description: 'checkin-gateway admin clients: attach to the host operators reach the admin API from',
      allowAllOutbound: false,
    });
    this.adminSecurityGroup.addIngressRule(
      this.adminClientSecurityGroup,
      ec2.Port.tcp(ADMIN_CONTAINER_PORT),
      'admin clients: admin API and console',
    );
    this.adminClientSecurityGroup.addEgressRule(
      this.adminSecurityGroup,
      ec2.Port.tcp(ADMIN_CONTAINER_PORT),
      'the serve tasks admin API',
    );
    ({ service: this.service, securityGroup: this.securityGroup } = gatewayService(this, {
      cluster: props.cluster,
      task: props.task,
      serviceName: 'checkin-gateway-serve',
      securityGroupDescription: 'checkin-gateway serve tasks: in from the ALB only',
      desiredCount: props.desiredCount,
      healthCheckGracePeriod: Duration.seconds(60),
      extraSecurityGroups: [this.adminSecurityGroup],
    }));

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs can only be written to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      // Vipps gives up on a webhook after 10 s; nothing legitimate takes longer.
      idleTimeout: Duration.seconds(30),
    });
    this.loadBalancer.logAccessLogs(this.accessLogs, 'alb');

    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: true,
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    https.addTargets('Serve', {
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [
        this.service.loadBalancerTarget({
          containerName: props.task.container.containerName,
          containerPort: CONTAINER_PORT,
        }),
      ],
      healthCheck: {
        path: '/readyz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
      // /readyz answers 503 while a task drains; 30 s covers the slowest legitimate request (10 s for Vipps).
      deregistrationDelay: Duration.seconds(30),
    });
    // Metrics and admin paths are for operators inside the VPC; the admin API listens on its own port
    // (ADMIN_PORT, the admin security group), which the load balancer never targets.
    https.addAction('OperatorPathsNotPublic', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/metrics', '/metrics/*', '/admin', '/admin/*'])],
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/problem+json',
        messageBody: '{"status":404,"code":"not_found","title":"Not found"}',
      }),
    });

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: props.desiredCount,
      maxCapacity: props.maxCount,
    });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(300),
    });
  }
}
