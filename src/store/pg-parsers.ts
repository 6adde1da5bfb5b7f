// Result parsing for the `pg` adapter: a copy of embedded PGlite's (0.5.x) parser table, so a Postgres server
// returns exactly what PGlite returns for the same query and repositories read one set of JS types on both.
// Where pg's defaults differ, PGlite's behaviour is the one kept:
// - int8 (bigserial ids, count(*)): a number while it is a safe integer, a BigInt beyond (pg: a string);
// - date: `new Date(text)`, UTC midnight (pg: local midnight); bytea: a plain Uint8Array (pg: a Buffer);
// - interval, point, circle, money...: the text as the server sent it (pg: objects for some of them);
// - arrays: split, then each element parsed as its type (pg: floats for numeric[], strings for int8[], the
//   raw '{...}' text for arrays it does not know, such as uuid[]).
import { types } from 'pg';
import type { CustomTypesConfig } from 'pg';

type Parse = (text: string) => unknown;

// text[]: not among pg's named builtins
const TEXT_ARRAY = 1009 as Parameters<typeof types.getTypeParser>[0];
// box[] separates its elements with ';' (every other array with ','): left as text.
const BOX_ARRAY = 1020;

function parseInt8(text: string): number | bigint {
  const n = BigInt(text);
  return n < Number.MIN_SAFE_INTEGER || n > Number.MAX_SAFE_INTEGER ? n : Number(n);
}

function parseBytea(text: string): Uint8Array {
  const hex = text.slice(2); // the server's default bytea_output = hex: '\x0102...'
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

const toNumber: Parse = (text) => Number(text);
const toDate: Parse = (text) => new Date(text);

// By type oid, as in PGlite's own table; any other type stays text.
const SCALARS: ReadonlyMap<number, Parse> = new Map<number, Parse>([
  [16, (text) => text === 't'], // bool
  [17, parseBytea], // bytea
  [20, parseInt8], // int8
  [21, toNumber], // int2
  [23, toNumber], // int4
  [26, toNumber], // oid
  [700, toNumber], // float4
  [701, toNumber], // float8
  [114, (text) => JSON.parse(text)], // json
  [3802, (text) => JSON.parse(text)], // jsonb
  [1082, toDate], // date
  [1114, toDate], // timestamp
  [1184, toDate], // timestamptz
]);

const asText: Parse = (text) => text;

function scalarParser(oid: number): Parse {
  return SCALARS.get(oid) ?? asText;
}

function mapDeep(value: unknown, parse: Parse): unknown {
  if (Array.isArray(value)) return value.map((v) => mapDeep(v, parse));
  return value === null ? null : parse(value as string);
}

function arrayParser(elementOid: number): Parse {
  const element = scalarParser(elementOid);
  // pg's text[] parser splits any ','-separated array literal (quotes, escapes, nesting, NULL) into strings.
  const split = types.getTypeParser(TEXT_ARRAY, 'text') as Parse;
  return (text) => mapDeep(split(text), element);
}

export interface ArrayTypeRow {
  readonly element: number;
  readonly array: number;
}

/**
 * The `types` option of a pg Pool: PGlite's parsing for that pool only (pg's global parsers are left alone).
 * Arrays are parsed once learnArrayTypes has the server's array types (PGlite runs the same query at start).
 */
export class PgliteCompatibleTypes implements CustomTypesConfig {
  static readonly ARRAY_TYPES_SQL = `SELECT b.oid AS element, b.typarray AS array
    FROM pg_catalog.pg_type a JOIN pg_catalog.pg_type b ON b.oid = a.typelem
    WHERE a.typcategory = 'A' GROUP BY b.oid, b.typarray`;

  private readonly arrays = new Map<number, Parse>();

  learnArrayTypes(rows: readonly ArrayTypeRow[]): void {
    for (const r of rows) if (r.array !== BOX_ARRAY) this.arrays.set(r.array, arrayParser(r.element));
  }

  readonly getTypeParser = ((oid: number, format?: 'text' | 'binary') => {
    // Binary results are never asked for (no `binary: true` query); keep pg's behaviour should one be.
    if (format === 'binary') return types.getTypeParser(oid, 'binary');
    return this.arrays.get(oid) ?? scalarParser(oid);
  }) as CustomTypesConfig['getTypeParser'];
}
