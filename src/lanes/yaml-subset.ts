// A fast reader for the plain block-style YAML that lanes files are written in. The `yaml` package reads
// about 1 MB/s on the reference machine, so a 50,000-lane file (~15 MB) took 6–12 s; this reader does the
// same file in a fraction of that. It is only a fast path: on anything outside its subset (flow
// collections, anchors, tags, block scalars, multi-line or escaped strings, document markers, tabs, odd
// indentation, duplicate keys, any syntax error) it returns UNSUPPORTED and the caller parses the text with
// the `yaml` package, which also owns every error message. Within the subset the result equals
// `YAML.parse` with the YAML 1.2 core schema (test/lanes/yaml-subset.test.ts compares them).
// It works on offsets into the text and only slices out keys and values, because allocation (and the GC
// it causes) is most of the cost of reading a million lines.
export const UNSUPPORTED: unique symbol = Symbol('yaml-subset: unsupported');

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\t]/;
// Characters that cannot start a plain scalar, or start a construct this reader leaves to `yaml`.
const INDICATOR = new Set([...',[]{}#&*!|>%@`"\'']);
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;

export function parseYamlSubset(text: string): unknown {
  // Tabs, lone CRs and control characters have YAML rules of their own; leave them to `yaml`.
  if (CONTROL.test(text) || (text.includes('\r') && /\r(?!\n)/.test(text))) return UNSUPPORTED;
  try {
    const reader = new BlockReader(text);
    if (reader.count === 0) return UNSUPPORTED;
    const value = reader.node(reader.indents[0] as number);
    return reader.pos === reader.count ? value : UNSUPPORTED;
  } catch (e) {
    if (e instanceof Bail) return UNSUPPORTED;
    throw e;
  }
}

class BlockReader {
  // Content lines only (blank and comment-only lines dropped): indentation, and the content's
  // [start, end) in the text without trailing blanks.
  readonly indents: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  readonly count: number;
  pos = 0;

  constructor(private readonly text: string) {
    let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (at <= text.length) {
      let eol = text.indexOf('\n', at);
      if (eol === -1) eol = text.length;
      let start = at;
      while (text.charCodeAt(start) === SPACE) start++;
      let end = eol;
      while (end > start && (text.charCodeAt(end - 1) === SPACE || text.charCodeAt(end - 1) === 13)) end--;
      if (end > start && text.charCodeAt(start) !== HASH) {
        if (start === at && /^(?:---|\.\.\.|%)/.test(text.slice(at, at + 3))) bail();
        this.indents.push(start - at);
        this.starts.push(start);
        this.ends.push(end);
      }
      at = eol + 1;
    }
    this.count = this.indents.length;
  }

  /** Indentation of the current line, or -1 at the end. */
  private indent(): number {
    return this.pos < this.count ? (this.indents[this.pos] as number) : -1;
  }

  node(indent: number): unknown {
    if (this.indent() !== indent) bail();
    return this.isSeqEntry(this.starts[this.pos] as number) ? this.seq(indent) : this.map(indent);
  }

  private map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let at = this.indent(); at >= indent; at = this.indent()) {
      if (at > indent) bail();
      const start = this.starts[this.pos] as number;
      const end = this.ends[this.pos] as number;
      const colon = this.keyEnd(start, end);
      if (colon === -1) bail();
      const key = this.text.slice(start, colon);
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) bail();
      let rest = colon + 1;
      while (this.text.charCodeAt(rest) === SPACE && rest < end) rest++;
      this.pos++;
      out[key] =
        rest === end || this.text.charCodeAt(rest) === HASH
          ? this.nested(indent, true)
          : this.scalar(rest, end);
    }
    return out;
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let at = this.indent(); at >= indent; at = this.indent()) {
      const start = this.starts[this.pos] as number;
      const end = this.ends[this.pos] as number;
      if (at > indent || !this.isSeqEntry(start)) bail();
      let rest = start + 1;
      while (this.text.charCodeAt(rest) === SPACE && rest < end) rest++;
      if (rest === end || this.text.charCodeAt(rest) === HASH) {
        this.pos++;
        out.push(this.nested(indent, false));
      } else if (this.keyEnd(rest, end) !== -1 || this.isSeqEntry(rest)) {
        // "- key: value" opens a mapping whose keys line up with the first one; read it in place.
        this.indents[this.pos] = indent + (rest - start);
        this.starts[this.pos] = rest;
        out.push(this.node(indent + (rest - start)));
      } else {
        this.pos++;
        out.push(this.scalar(rest, end));
      }
    }
    return out;
  }

  /** The value of "key:" or "-" with nothing after it: a deeper block, a same-indent list, or null. */
  private nested(indent: number, inMap: boolean): unknown {
    const next = this.indent();
    if (next > indent) return this.node(next);
    // YAML lets a mapping's list value start at the key's own indentation.
    if (inMap && next === indent && this.isSeqEntry(this.starts[this.pos] as number)) return this.seq(indent);
    return null;
  }

  private isSeqEntry(at: number): boolean {
    return (
      this.text.charCodeAt(at) === DASH && (this.text.charCodeAt(at + 1) === SPACE || this.isEnd(at + 1))
    );
  }

  private isEnd(at: number): boolean {
    return at >= this.text.length || this.text.charCodeAt(at) === 10 || this.text.charCodeAt(at) === 13;
  }

  /** For `key:` followed by a blank or the end of the content: the colon's offset; else -1. */
  private keyEnd(start: number, end: number): number {
    let i = start;
    for (; i < end; i++) {
      const c = this.text.charCodeAt(i);
      const word = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95; // a-z A-Z _
      if (!(word || (i > start && ((c >= 48 && c <= 57) || c === DASH)))) break;
    }
    if (i === start || this.text.charCodeAt(i) !== COLON) return -1;
    return i + 1 === end || this.text.charCodeAt(i + 1) === SPACE ? i : -1;
  }

  private scalar(start: number, end: number): unknown {
    const text = this.text;
    const c = text[start] as string;
    if (c === "'" || c === '"') return this.quoted(start, end, c);
    if (INDICATOR.has(c)) bail();
    if ((c === '-' || c === '?' || c === ':') && (start + 1 === end || text.charCodeAt(start + 1) === SPACE))
      bail();
    let stop = this.find(SPACE, HASH, start, end);
    while (text.charCodeAt(stop - 1) === SPACE) stop--;
    if (this.find(COLON, SPACE, start, stop) !== stop || text.charCodeAt(stop - 1) === COLON) bail();
    return resolvePlain(text.slice(start, stop));
  }

  /** Offset of the two-character sequence a b within [start, end), or end. Never looks past the line. */
  private find(a: number, b: number, start: number, end: number): number {
    for (let i = start; i < end - 1; i++)
      if (this.text.charCodeAt(i) === a && this.text.charCodeAt(i + 1) === b) return i;
    return end;
  }

  private quoted(start: number, end: number, q: "'" | '"'): string {
    const text = this.text;
    let value = '';
    let i = start + 1;
    for (;;) {
      let close = i;
      while (close < end && text[close] !== q) close++;
      if (close === end) bail();
      value += text.slice(i, close);
      i = close + 1;
      if (q === "'" && text[i] === "'" && i < end) {
        value += "'";
        i++;
        continue;
      }
      break;
    }
    if (q === '"' && value.includes('\\')) bail();
    if (i < end) {
      if (text.charCodeAt(i) !== SPACE) bail();
      while (text.charCodeAt(i) === SPACE && i < end) i++;
      if (i < end && text.charCodeAt(i) !== HASH) bail();
    }
    return value;
  }
}

// YAML 1.2 core schema, in the order and with the tests the `yaml` package uses (dist/schema/core). Most
// values (ids, descriptions) start with a character no null, bool or number can start with.
function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46; // 0-9 + - .
  if (!numeric && c !== 126 && !/^[nNtTfF]/.test(s)) return s; // ~ n N t T f F
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (!numeric) return s;
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s))
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}
