// `checkin-gateway --version`: the version in package.json, read when asked rather than bundled, so it is the
// installed package's. This file is src/cli/package-version.ts under tsx and dist/cli/package-version.js when
// built; both sit two levels below the package root.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function packageVersion(packageJson = join(__dirname, '..', '..', 'package.json')): string {
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error(`${packageJson} has no "version"`);
  return version;
}
