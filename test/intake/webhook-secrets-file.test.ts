// VIPPS_WEBHOOK_SECRETS_FILE (issue 15): parsed one secret a line, re-read on change by fs.watch and, where
// that misses, by the periodic stat; the CLI's add/remove by registration id keep the file 0600.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addToSecretsFile, removeFromSecretsFile } from '../../src/cli/webhooks-secret-file';
import {
  mergedSecrets,
  parseSecretsText,
  watchSecretsFile,
  type SecretsFileWatcher,
} from '../../src/intake/webhook-secrets-file';
import { silentLogger } from '../../src/log';
import { waitFor } from '../support/wait-for';

let dir: string;
let file: string;
let watcher: SecretsFileWatcher | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cg-secrets-file-'));
  file = path.join(dir, 'secrets');
});
afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

it('reads one secret a line, skipping blank lines and # comments', () => {
  expect(parseSecretsText('# c\n\n  abc  \r\n#x\ndef\n')).toEqual(['abc', 'def']);
});

it('re-reads the file when the CLI adds and removes secrets (fs.watch), merging with the fixed secrets', async () => {
  watcher = await watchSecretsFile(file, { logger: silentLogger(), pollMs: 60_000 });
  expect(watcher.current()).toEqual([]);
  const fixed = ['from-env'];
  const secrets = mergedSecrets(fixed, watcher);
  await addToSecretsFile(file, { id: 'a', kind: 'checkin', msn: '123456', secret: 'secret-a' });
  await addToSecretsFile(file, { id: 'b', kind: 'epayment', msn: '123456', secret: 'secret-b' });
  await waitFor(() => watcher!.current().length === 2, { what: 'both secrets read' });
  expect(secrets()).toEqual(['from-env', 'secret-a', 'secret-b']);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(await removeFromSecretsFile(file, 'a')).toBe(true);
  expect(await removeFromSecretsFile(file, 'no-such-id')).toBe(false);
  await waitFor(() => watcher!.current().length === 1, { what: 'secret-a dropped' });
  expect(secrets()).toEqual(['from-env', 'secret-b']);
});

it('without fs.watch, the periodic stat still picks up an in-place edit', async () => {
  await writeFile(file, 'one\n');
  watcher = await watchSecretsFile(file, { logger: silentLogger(), pollMs: 20, watch: false });
  expect(watcher.current()).toEqual(['one']);
  await writeFile(file, 'one\ntwo-longer\n');
  await waitFor(() => watcher!.current().length === 2, { what: 'poll re-read' });
  expect(watcher.current()).toEqual(['one', 'two-longer']);
  await rm(file);
  await waitFor(() => watcher!.current().length === 0, { what: 'missing file = no secrets' });
});
