// Lanes file text → a plain value, with parse errors that carry line and column. YAML goes through a fast
// reader for plain block style first (yaml-subset.ts) and through the `yaml` package for everything else.
import { parseDocument } from 'yaml';
import { parseYamlSubset, UNSUPPORTED } from './yaml-subset';

export type LanesFormat = 'yaml' | 'json';
export type ParsedText = { ok: true; doc: unknown } | { ok: false; errors: string[] };

export function parseLanesText(text: string, format: LanesFormat): ParsedText {
  return format === 'json' ? parseJson(text) : parseYaml(text);
}

function parseYaml(text: string): ParsedText {
  const fast = parseYamlSubset(text);
  if (fast !== UNSUPPORTED) return { ok: true, doc: fast };
  // `merge` allows `<<: *defaults` for lanes that share settings.
  const doc = parseDocument(text, { merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const first = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        const at = e.linePos?.[0];
        return at ? `line ${at.line}, column ${at.col}: ${first}` : first;
      }),
    };
  }
  try {
    // The alias-count guard protects code that walks the whole tree; validation reads a fixed depth, and
    // a shared `controller: *hook` on thousands of lanes is legitimate.
    return { ok: true, doc: doc.toJS({ maxAliasCount: -1 }) };
  } catch (e) {
    return { ok: false, errors: [(e as Error).message] };
  }
}

// JSON.parse keeps the last of duplicate keys silently; YAML files get the stricter check.
function parseJson(text: string): ParsedText {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, doc: JSON.parse(body) };
  } catch (e) {
    // V8 says "… in JSON at position N" (newer versions add "(line L column C)"); give line and column.
    const message = (e as Error).message.replace(/ \(line \d+ column \d+\)$/, '');
    const position = / in JSON at position (\d+)$/.exec(message);
    if (!position) return { ok: false, errors: [`JSON: ${message}`] };
    const before = body.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return {
      ok: false,
      errors: [`line ${line}, column ${column}: JSON: ${message.slice(0, position.index)}`],
    };
  }
}
