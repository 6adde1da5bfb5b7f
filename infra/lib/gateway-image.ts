// The one gateway image. By default it is pulled from an ECR repository by name and tag (the operator pushes
// it before `cdk deploy`), which keeps `cdk synth` offline and lets ECS grant the execution role a pull of
// that one repository. With `-c buildImage=true` CDK builds the repo root Dockerfile as an asset instead
// (needs Docker at synth time).
import * as path from 'node:path';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';

export interface GatewayImageProps {
  readonly buildImage: boolean;
  readonly repositoryName: string;
  readonly tag: string;
}

export function gatewayImage(scope: Construct, props: GatewayImageProps): ecs.ContainerImage {
  if (props.buildImage) {
    const asset = new DockerImageAsset(scope, 'ImageAsset', {
      directory: path.join(__dirname, '../..'),
      platform: Platform.LINUX_AMD64,
      // The repo's .dockerignore does not know about infra/ (its node_modules would bloat the asset hash).
      exclude: ['infra', 'node_modules', 'dist', 'data', 'coverage', '.git'],
    });
    return ecs.ContainerImage.fromDockerImageAsset(asset);
  }
  const repository = ecr.Repository.fromRepositoryName(scope, 'ImageRepository', props.repositoryName);
  return ecs.ContainerImage.fromEcrRepository(repository, props.tag);
}
