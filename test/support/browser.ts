// A real browser for the pages a person looks at (console, pay page): Debian's chromium driven by playwright-core.
// No browser is downloaded; without chromium the tests that need it skip and say why.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
// A static import: jest runs tests as CommonJS, where import() needs --experimental-vm-modules.
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The chromium executable, or undefined (then `describeWithBrowser` skips). */
export const chromiumPath: string | undefined = CANDIDATES.find((p): p is string => !!p && existsSync(p));

/** `describe` when chromium is here, else `describe.skip` with a message that says why. */
export function describeWithBrowser(name: string, body: () => void): void {
  if (chromiumPath) {
    describe(name, body);
    return;
  }
  // Jest shows no output of an all-skipped file, so the reason goes to stderr at load time as well.
  process.stderr.write(`${name}: skipped: no chromium (set CHROMIUM_PATH or apt-get install chromium)\n`);
  describe.skip(`${name} (skipped: no chromium)`, body);
}

/** Launches chromium for one test file; close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no chromium');
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
}

/** The folder a browser test writes its screenshots to (created): test-output/screenshots/<name>. */
export function screenshotDir(name: string): string {
  const dir = join(__dirname, '..', '..', 'test-output', 'screenshots', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
