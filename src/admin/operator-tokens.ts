// OPERATOR_TOKENS: comma-separated `label:token` or `label:sha256:<64 hex>` entries. The label names the
// operator in the audit log; a hashed entry lets the deployment keep only the token's SHA-256, not the token.
import { createHash } from 'node:crypto';

export interface OperatorTokenEntry {
  readonly label: string;
  /** SHA-256 of the token as lowercase hex (a plain entry is hashed when read): compared digest to digest. */
  readonly sha256: string;
  /** The plain token of a `label:token` entry (registered as a secret), absent for a hashed entry. */
  readonly plain?: string;
}

const LABEL = /^[A-Za-z0-9][\w.@-]{0,63}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;
/** Short tokens can be guessed; operator tokens are long random strings. */
export const MIN_TOKEN_LENGTH = 16;

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Parses the OPERATOR_TOKENS value. Problems name the entry by its position and label only: the message is
 * printed at boot, so it never includes a token.
 */
export function parseOperatorTokens(value: string | undefined): {
  entries: OperatorTokenEntry[];
  problems: string[];
} {
  const entries: OperatorTokenEntry[] = [];
  const problems: string[] = [];
  if (value === undefined || value.trim() === '') return { entries, problems };
  const seen = new Set<string>();
  value.split(',').forEach((raw, i) => {
    const item = raw.trim();
    const where = `entry ${i + 1}`;
    // Empty entries are skipped, as in the other lists: `,` alone (a closed placeholder) is no token at all.
    if (item === '') return;
    const colon = item.indexOf(':');
    if (colon <= 0) return problems.push(`${where} is not label:token or label:sha256:<hex>`);
    const label = item.slice(0, colon);
    const rest = item.slice(colon + 1);
    if (!LABEL.test(label))
      return problems.push(`${where}: the label must be 1-64 of A-Z a-z 0-9 _ . @ - (starting alphanumeric)`);
    if (label === 'local')
      return problems.push(`${where}: the label "local" is the gateway's own local token`);
    if (seen.has(label)) return problems.push(`${where}: the label "${label}" is given twice`);
    seen.add(label);
    if (rest.startsWith('sha256:')) {
      const hex = rest.slice('sha256:'.length);
      if (!HEX64.test(hex))
        return problems.push(`${where} (${label}): sha256: must be followed by 64 hex digits`);
      return entries.push({ label, sha256: hex.toLowerCase() });
    }
    if (rest.length < MIN_TOKEN_LENGTH)
      return problems.push(`${where} (${label}): the token must be at least ${MIN_TOKEN_LENGTH} characters`);
    return entries.push({ label, sha256: sha256(rest).toString('hex'), plain: rest });
  });
  return { entries, problems };
}
