// The container image's entrypoint, tested directly (no Docker engine runs here): the compiled CLI the
// Dockerfile runs (`node dist/cli.js <role>`), its HEALTHCHECK command, and a clean exit on SIGTERM.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');

function dockerfile(): string {
  return readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
}

/** The exec-form JSON array of a Dockerfile instruction (ENTRYPOINT, CMD, HEALTHCHECK … CMD). */
function execForm(instruction: RegExp): string[] {
  const text = dockerfile().replace(/\\\n\s*/g, ' ');
  const match = instruction.exec(text);
  if (!match?.[1]) throw new Error(`no ${instruction} in the Dockerfile`);
  return JSON.parse(match[1]) as string[];
}

beforeAll(() => {
  // `npm run check` builds before testing; a bare `npm test` may not have.
  if (!existsSync(CLI))
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}, 120_000);

describe('the image entrypoint', () => {
  it('is node dist/cli.js with "all" as the default command, run as the non-root node user', () => {
    expect(execForm(/^ENTRYPOINT (\[.*\])$/m)).toEqual(['node', 'dist/cli.js']);
    expect(execForm(/^CMD (\[.*\])$/m)).toEqual(['all']);
    expect(dockerfile()).toMatch(/^USER node$/m);
    expect(dockerfile()).toMatch(/npm prune --omit=dev/);
  });

  it.each(['serve', 'all'])(
    'runs `node dist/cli.js %s`, passes its HEALTHCHECK, and exits 0 on SIGTERM',
    async (role) => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cg-entry-'));
      // PORT=0: no fixed port to collide with a sandbox or another test; the HEALTHCHECK is then run with
      // the port the gateway reports, as Docker would run it with the container's PORT.
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        EMULATOR_PORT: '0',
        DATA_DIR: dataDir,
        LANES_FILE: path.join(ROOT, 'lanes.yaml'),
      };
      const child = spawn(process.execPath, [CLI, role], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      try {
        const deadline = Date.now() + 60_000;
        // Until the whole "gateway listening" line (with its url) has arrived.
        while (!/"gateway listening"[^\n]*\n/.test(output)) {
          if (child.exitCode !== null) throw new Error(`exited early:\n${output}`);
          if (Date.now() > deadline) throw new Error(`did not start:\n${output}`);
          // An exit ends the wait too: a child that dies without more output must fail the test, not hang it.
          await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
        }
        // The Dockerfile's own HEALTHCHECK command, run as Docker would.
        const [cmd, ...args] = execForm(/HEALTHCHECK [^\n]*?CMD (\[.*\])/);
        const listening = output.split('\n').find((line) => line.includes('"gateway listening"'));
        const port = new URL((JSON.parse(listening!) as { url: string }).url).port;
        const health = spawnSync(cmd === 'node' ? process.execPath : cmd!, args, {
          env: { ...env, PORT: port },
          encoding: 'utf8',
        });
        expect(health.status).toBe(0);
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const [code] = (await exited) as [number | null];
        expect(code).toBe(0);
        expect(output).toContain('"stopped"');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
