// A small JSON Schema (2020-12) validator for exactly the keywords our shipped documents use (no ajv here).
// It refuses any keyword it does not implement, so a schema can never pass a test by being misunderstood.
// Shared by the lane-message schema test and the OpenAPI contract test (OpenAPI 3.1 schemas are 2020-12).
import { isDeepStrictEqual } from 'node:util';

export interface SchemaError {
  readonly path: string;
  readonly message: string;
}

type Schema = boolean | { readonly [keyword: string]: unknown };

const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
const IMPLEMENTED = new Set([
  '$ref',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'format',
  'allOf',
  'anyOf',
  'oneOf',
  'if',
  'then',
  'else',
]);
// RFC 3339 date-time with a required offset; the date part is checked by Date.parse as well.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

export function validate(schema: Schema, value: unknown, root: unknown = schema, path = ''): SchemaError[] {
  if (schema === true) return [];
  if (schema === false) return [{ path, message: 'no value is allowed here' }];
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !IMPLEMENTED.has(keyword)) {
      throw new Error(`json-schema-subset: unsupported keyword "${keyword}" at ${path || '/'}`);
    }
  }
  const errors: SchemaError[] = [];
  const fail = (message: string): void => {
    errors.push({ path: path || '/', message });
  };
  const s = schema as Record<string, unknown>;

  if (typeof s.$ref === 'string') errors.push(...validate(resolveRef(root, s.$ref), value, root, path));
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => hasType(value, t))) fail(`expected ${types.join(' or ')}`);
  }
  if ('const' in s && !isDeepStrictEqual(value, s.const)) fail(`expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => isDeepStrictEqual(value, e))) {
    fail(`expected one of ${JSON.stringify(s.enum)}`);
  }
  if (typeof value === 'string') checkString(s, value, fail);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail(`expected >= ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) fail(`expected <= ${s.maximum}`);
  }
  if (isObject(value)) errors.push(...checkObject(s, value, root, path));
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail(`expected >= ${s.minItems} items`);
    if (s.items !== undefined) {
      value.forEach((item, i) => errors.push(...validate(s.items as Schema, item, root, `${path}/${i}`)));
    }
  }
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf) errors.push(...validate(sub as Schema, value, root, path));
  if (
    Array.isArray(s.anyOf) &&
    !s.anyOf.some((sub) => validate(sub as Schema, value, root, path).length === 0)
  ) {
    fail('matches none of anyOf');
  }
  if (Array.isArray(s.oneOf)) {
    const matches = s.oneOf.filter((sub) => validate(sub as Schema, value, root, path).length === 0).length;
    if (matches !== 1) fail(`matches ${matches} of oneOf (expected exactly 1)`);
  }
  if (s.if !== undefined) {
    const branch = validate(s.if as Schema, value, root, path).length === 0 ? s.then : s.else;
    if (branch !== undefined) errors.push(...validate(branch as Schema, value, root, path));
  }
  return errors;
}

function checkString(s: Record<string, unknown>, value: string, fail: (m: string) => void): void {
  const length = [...value].length;
  if (typeof s.minLength === 'number' && length < s.minLength) fail(`expected length >= ${s.minLength}`);
  if (typeof s.maxLength === 'number' && length > s.maxLength) fail(`expected length <= ${s.maxLength}`);
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value))
    fail(`expected /${s.pattern}/`);
  if (s.format === 'date-time') {
    if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) fail('expected an RFC 3339 date-time');
  } else if (s.format === 'uri') {
    if (!URL.canParse(value)) fail('expected an absolute URI');
  } else if (s.format !== undefined) {
    throw new Error(`json-schema-subset: unsupported format "${String(s.format)}"`);
  }
}

function checkObject(
  s: Record<string, unknown>,
  value: Record<string, unknown>,
  root: unknown,
  path: string,
): SchemaError[] {
  const errors: SchemaError[] = [];
  const properties = (s.properties ?? {}) as Record<string, Schema>;
  if (Array.isArray(s.required)) {
    for (const name of s.required as string[]) {
      if (!(name in value))
        errors.push({ path: path || '/', message: `missing required property "${name}"` });
    }
  }
  for (const [name, member] of Object.entries(value)) {
    const sub = properties[name];
    if (sub !== undefined) errors.push(...validate(sub, member, root, `${path}/${name}`));
    else if (s.additionalProperties !== undefined) {
      errors.push(...validate(s.additionalProperties as Schema, member, root, `${path}/${name}`));
    }
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      throw new Error(`json-schema-subset: unknown type "${type}"`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Local references only ("#/$defs/amount", "#/components/schemas/Problem"). */
export function resolveRef(root: unknown, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`json-schema-subset: only local $ref is supported, got ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(key in node)) throw new Error(`json-schema-subset: unresolvable $ref ${ref}`);
    node = node[key];
  }
  return node as Schema;
}
