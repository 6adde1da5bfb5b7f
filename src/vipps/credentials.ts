// Credentials per sales unit (issue 15): VIPPS_CREDENTIALS_FILE names a YAML or JSON file that says, per MSN,
// where its client id, client secret and subscription key are, or gives one partner key set with the MSNs it
// acts for. Vipps issues API keys per sales unit; partner keys act for all of a partner's sales units but exist
// only in production ("partner functionality is not available in test. Instead, you will receive merchant API
// keys", https://developer.vippsmobilepay.com/docs/partner/partner-keys). Values are never inline: each is an
// environment variable name (`clientSecretEnv: NAME`) or a file path (`clientSecretFile: /run/secrets/x`),
// so the file itself can be committed and reviewed.
//
//   salesUnits:
//     "123456": { clientIdEnv: A_ID, clientSecretEnv: A_SECRET, subscriptionKeyFile: /run/secrets/a-key }
//   partner:
//     clientIdEnv: P_ID
//     clientSecretFile: /run/secrets/p-secret
//     subscriptionKeyEnv: P_KEY
//     msns: ["234567", "345678"]
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { VippsCredentials } from './token';

export type CredentialsEnv = Readonly<Record<string, string | undefined>>;

export interface CredentialSet {
  /** `salesUnits.123456` or `partner`: names the set in messages; never a secret. */
  readonly label: string;
  readonly credentials: VippsCredentials;
  readonly msns: readonly string[];
  readonly partner: boolean;
}

/** Problems of a credentials file, one line each; the message never holds a secret value. */
export class CredentialsFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(`${path}: ${problems.join('; ')}`);
    this.name = 'CredentialsFileError';
  }
}

const FIELDS = ['clientId', 'clientSecret', 'subscriptionKey'] as const;
type Field = (typeof FIELDS)[number];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads and resolves the file; throws CredentialsFileError listing every problem at once. */
export function loadCredentialsFile(
  path: string,
  env: CredentialsEnv,
  vippsEnv: 'sandbox' | 'test' | 'production',
  readText: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): readonly CredentialSet[] {
  let doc: unknown;
  try {
    // YAML 1.2 reads JSON too.
    doc = parse(readText(path));
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message.split('\n')[0] : 'unreadable');
    throw new CredentialsFileError(path, [`cannot read it as YAML or JSON (${why})`]);
  }
  const problems: string[] = [];
  const sets: CredentialSet[] = [];
  if (!isRecord(doc))
    throw new CredentialsFileError(path, ['expected a mapping with salesUnits and/or partner']);
  for (const key of Object.keys(doc))
    if (key !== 'salesUnits' && key !== 'partner')
      problems.push(`unknown key "${key}" (expected salesUnits and/or partner)`);
  const units = doc['salesUnits'];
  if (units !== undefined && !isRecord(units))
    problems.push('salesUnits must be a mapping of MSN to credentials');
  for (const [msn, entry] of Object.entries(isRecord(units) ? units : {})) {
    const label = `salesUnits.${msn}`;
    if (!/^[0-9]{4,12}$/.test(msn)) problems.push(`${label}: the key must be an MSN (digits)`);
    const credentials = readSet(label, entry, env, readText, problems, []);
    if (credentials) sets.push({ label, credentials, msns: [msn], partner: false });
  }
  const partner = doc['partner'];
  if (partner !== undefined) {
    if (vippsEnv === 'test')
      problems.push(
        'partner: partner keys work only in production; Vipps gives partners merchant API keys per sales unit ' +
          'for the test environment (developer.vippsmobilepay.com/docs/partner/partner-keys): list them under salesUnits',
      );
    const msns = partnerMsns(partner, problems);
    const credentials = readSet('partner', partner, env, readText, problems, ['msns']);
    if (credentials)
      sets.push({
        label: 'partner',
        credentials: { ...credentials, tokenPerMsn: true },
        msns,
        partner: true,
      });
  }
  const seen = new Map<string, string>();
  for (const set of sets)
    for (const msn of set.msns) {
      const other = seen.get(msn);
      if (other !== undefined) problems.push(`MSN ${msn} has credentials in both ${other} and ${set.label}`);
      else seen.set(msn, set.label);
    }
  if (units === undefined && partner === undefined)
    problems.push('no salesUnits and no partner: nothing to use');
  if (problems.length > 0) throw new CredentialsFileError(path, problems);
  return sets;
}

function partnerMsns(partner: unknown, problems: string[]): string[] {
  const raw = isRecord(partner) ? partner['msns'] : undefined;
  const msns = Array.isArray(raw) ? raw.map((m) => (typeof m === 'number' ? String(m) : m)) : [];
  if (msns.length === 0 || msns.some((m) => typeof m !== 'string' || !/^[0-9]{4,12}$/.test(m)))
    problems.push('partner.msns: a non-empty list of the MSNs the partner keys act for');
  return msns.filter((m): m is string => typeof m === 'string');
}

function readSet(
  label: string,
  entry: unknown,
  env: CredentialsEnv,
  readText: (p: string) => string,
  problems: string[],
  extraKeys: readonly string[],
): VippsCredentials | undefined {
  if (!isRecord(entry)) {
    problems.push(`${label}: expected a mapping with clientId, clientSecret and subscriptionKey sources`);
    return undefined;
  }
  const allowed = new Set([...FIELDS.flatMap((f) => [`${f}Env`, `${f}File`]), ...extraKeys]);
  for (const key of Object.keys(entry)) {
    if (allowed.has(key)) continue;
    problems.push(
      (FIELDS as readonly string[]).includes(key)
        ? `${label}.${key}: inline values are refused (a secret in a file that gets copied and reviewed); ` +
            `give ${key}Env (an environment variable name) or ${key}File (a file path)`
        : `${label}: unknown key "${key}"`,
    );
  }
  const values: Partial<Record<Field, string>> = {};
  for (const field of FIELDS) {
    const value = readField(label, field, entry, env, readText, problems);
    if (value !== undefined) values[field] = value;
  }
  const { clientId, clientSecret, subscriptionKey } = values;
  return clientId && clientSecret && subscriptionKey
    ? { clientId, clientSecret, subscriptionKey }
    : undefined;
}

function readField(
  label: string,
  field: Field,
  entry: Record<string, unknown>,
  env: CredentialsEnv,
  readText: (p: string) => string,
  problems: string[],
): string | undefined {
  const envName = entry[`${field}Env`];
  const file = entry[`${field}File`];
  const where = `${label}.${field}`;
  if (envName !== undefined && file !== undefined) {
    problems.push(`${where}: give ${field}Env or ${field}File, not both`);
    return undefined;
  }
  if (envName !== undefined) {
    if (typeof envName !== 'string' || !ENV_NAME.test(envName)) {
      problems.push(`${where}Env: an environment variable name (letters, digits, _)`);
      return undefined;
    }
    const value = env[envName]?.trim();
    if (!value) problems.push(`${where}Env: the environment variable ${envName} is not set`);
    return value || undefined;
  }
  if (file !== undefined) {
    if (typeof file !== 'string' || file === '') {
      problems.push(`${where}File: a file path`);
      return undefined;
    }
    try {
      // Secret files (Docker/Kubernetes secrets) usually end with a newline that is not part of the value.
      const value = readText(file).trim();
      if (!value) problems.push(`${where}File: ${file} is empty`);
      return value || undefined;
    } catch (e) {
      problems.push(`${where}File: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  if (entry[field] === undefined) problems.push(`${where}: missing; give ${field}Env or ${field}File`);
  return undefined;
}

/**
 * Picks the credential set for a call by its MSN. `msn` undefined (a partner-wide webhook call): the partner
 * set, else the only set; undefined when the file has none for it (the transport refuses the call).
 */
export function credentialsResolver(
  sets: readonly CredentialSet[],
): (msn: string | undefined) => VippsCredentials | undefined {
  const byMsn = new Map<string, VippsCredentials>();
  for (const set of sets) for (const msn of set.msns) byMsn.set(msn, set.credentials);
  const partner = sets.find((s) => s.partner)?.credentials;
  const only = sets.length === 1 ? sets[0]?.credentials : undefined;
  return (msn) => (msn === undefined ? (partner ?? only) : byMsn.get(msn));
}

/** One line per lane whose MSN has no credentials in the file (the single-set variables are not mixed in). */
export function laneCredentialProblems(
  lanes: readonly { readonly id: string; readonly msn: string }[],
  sets: readonly CredentialSet[],
  path: string,
): string[] {
  const covered = new Set(sets.flatMap((s) => s.msns));
  return lanes
    .filter((l) => !covered.has(l.msn))
    .map(
      (l) =>
        `lane "${l.id}": MSN ${l.msn} has no credentials in VIPPS_CREDENTIALS_FILE (${path}); add ` +
        `salesUnits."${l.msn}" or list it in partner.msns`,
    );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A lane whose MSN the credentials file does not cover: refused at start, like `lanes check` refuses it. */
export class LaneCredentialsError extends Error {
  override readonly name = 'LaneCredentialsError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** Throws LaneCredentialsError (one line per lane) when VIPPS_CREDENTIALS_FILE is set and misses a lane's MSN. */
export function assertLaneCredentials(
  lanes: readonly { readonly id: string; readonly msn: string }[],
  vipps: { readonly credentialsFile: string | undefined; readonly credentialSets: readonly CredentialSet[] },
): void {
  const problems = lanesWithoutCredentials(lanes, vipps);
  if (problems.length > 0) throw new LaneCredentialsError(problems);
}

/** laneCredentialProblems with the gateway's config: nothing without VIPPS_CREDENTIALS_FILE. */
export function lanesWithoutCredentials(
  lanes: readonly { readonly id: string; readonly msn: string }[],
  vipps: { readonly credentialsFile: string | undefined; readonly credentialSets: readonly CredentialSet[] },
): string[] {
  if (vipps.credentialsFile === undefined) return [];
  return laneCredentialProblems(lanes, vipps.credentialSets, vipps.credentialsFile);
}

/**
 * For `lanes check`: the credentials file's own problems, else one line per uncovered lane; nothing without
 * VIPPS_CREDENTIALS_FILE (the single set serves every MSN).
 */
export function credentialsCheckProblems(
  lanes: readonly { readonly id: string; readonly msn: string }[],
  env: CredentialsEnv,
): string[] {
  const path = env['VIPPS_CREDENTIALS_FILE'];
  if (!path) return [];
  const vippsEnv =
    env['VIPPS_ENV'] === 'test' || env['VIPPS_ENV'] === 'production' ? env['VIPPS_ENV'] : 'sandbox';
  try {
    return laneCredentialProblems(lanes, loadCredentialsFile(path, env, vippsEnv), path);
  } catch (e) {
    if (!(e instanceof CredentialsFileError)) throw e;
    return e.problems.map((p) => `VIPPS_CREDENTIALS_FILE (${path}): ${p}`);
  }
}
