// Runs the container entrypoint script for real with /bin/sh, in front of a stand-in CLI that reports the
// environment and arguments it was started with.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { databaseUrlScript, DATABASE_URL_ENTRYPOINT } from '../lib/entrypoint';

let dir: string;
let fakeCli: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entrypoint-'));
  fakeCli = path.join(dir, 'cli.js');
  fs.writeFileSync(
    fakeCli,
    'process.stdout.write(JSON.stringify({ url: process.env.DATABASE_URL, pgpassword: process.env.PGPASSWORD ?? null, argv: process.argv.slice(2), pid1: true }));',
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const baseEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  PGHOST: 'db.cluster-abc.eu-north-1.rds.amazonaws.com',
  PGPORT: '5432',
  PGDATABASE: 'checkin',
  PGUSER: 'checkin',
  PGPASSWORD: 'p@ss:w/rd%?#x y\'"$`\\',
  DATABASE_URL_PARAMS: 'sslmode=no-verify',
};

function run(env: Record<string, string>, args: string[]) {
  return spawnSync('/bin/sh', ['-c', databaseUrlScript(['node', fakeCli]), 'sh', ...args], {
    env,
    encoding: 'utf8',
  });
}

describe('DATABASE_URL entrypoint', () => {
  it('builds a URL whose password decodes back to the secret, then execs the CLI with the command', () => {
    const result = run(baseEnv, ['serve']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as { url: string; pgpassword: string | null; argv: string[] };
    expect(out.argv).toEqual(['serve']);
    const url = new URL(out.url);
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe(baseEnv.PGHOST);
    expect(url.port).toBe('5432');
    expect(url.pathname).toBe('/checkin');
    expect(url.search).toBe('?sslmode=no-verify');
    expect(decodeURIComponent(url.username)).toBe('checkin');
    expect(decodeURIComponent(url.password)).toBe(baseEnv.PGPASSWORD);
    // Once inside the URL, the password is not left lying around as a second variable.
    expect(out.pgpassword).toBeNull();
  });

  it('omits the query when no parameters are set', () => {
    const { DATABASE_URL_PARAMS: _omit, ...env } = baseEnv;
    const out = JSON.parse(run(env, ['work']).stdout) as { url: string; argv: string[] };
    expect(out.url).toBe(
      `postgres://checkin:${encodeURIComponent(baseEnv.PGPASSWORD)}@${baseEnv.PGHOST}:5432/checkin`,
    );
    expect(out.argv).toEqual(['work']);
  });

  it('refuses to start without the password, naming the variable but no value', () => {
    const { PGPASSWORD: _omit, ...env } = baseEnv;
    const result = run(env, ['serve']);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/PGPASSWORD: missing/);
    expect(result.stderr).not.toContain(baseEnv.PGHOST);
  });

  it('wraps the image CLI (`node dist/cli.js`) as `sh -c <script> sh`', () => {
    expect(DATABASE_URL_ENTRYPOINT).toEqual([
      '/bin/sh',
      '-c',
      databaseUrlScript(['node', 'dist/cli.js']),
      'sh',
    ]);
  });
});
