// PGlite's extended query protocol, spoken directly (src/store/pglite-prepared.ts uses it): values travel
// as Bind parameters, never as SQL text, so no setting (standard_conforming_strings = off, issue 13) and no
// value can change what a statement does, and bytea arrives byte for byte.
import { type PGlite, parse, protocol } from '@electric-sql/pglite';

const { serialize } = protocol;

/** What the protocol needs of a PGlite; `_runExclusiveTransaction` is how PGlite's own query() waits. */
export type WireDb = Pick<
  PGlite,
  'execProtocolStream' | 'runExclusive' | '_runExclusiveTransaction' | 'serializers' | 'parsers'
>;

type Messages = Awaited<ReturnType<PGlite['execProtocolStream']>>;
type Message = Messages[number];

/** A parsed named statement: its parameter types, and the row description its results will have. */
export interface ParsedStatement {
  readonly types: readonly number[];
  readonly rowDescription: Message | undefined;
}

/** One statement's result as PGlite parses it (rowCount and command are set from CommandComplete). */
export interface WireResult {
  readonly rows: Record<string, unknown>[];
  readonly command?: string;
  readonly rowCount?: number;
  readonly affectedRows?: number;
}

/**
 * Runs fn alone on PGlite. Outside a transaction it first waits for PGlite's transaction lock (an open
 * transaction holds it until COMMIT), as PGlite's query() does; inside one, the caller already holds it.
 */
export function exclusive<T>(pg: WireDb, inTransaction: boolean, fn: () => Promise<T>): Promise<T> {
  return inTransaction ? pg.runExclusive(fn) : pg._runExclusiveTransaction(() => pg.runExclusive(fn));
}

/**
 * Sends the messages and a Sync in one call. Messages before the Sync run as one implicit transaction when
 * no transaction is open: on an error Postgres skips to the Sync and rolls all of them back. The first error
 * is thrown once Postgres is ready again. `durable`: PGlite syncs its files afterwards (outside transactions).
 */
export function send(pg: WireDb, messages: readonly Uint8Array[], durable: boolean): Promise<Messages> {
  return pg.execProtocolStream(concat([...messages, serialize.sync()]), { syncToFs: durable });
}

/**
 * Parse and Describe of a named statement: the parameter types Postgres inferred, to serialize values, and
 * the row description, kept so that each run needs no Describe of its own.
 */
export async function parseNamed(
  pg: WireDb,
  name: string,
  text: string,
  durable: boolean,
): Promise<ParsedStatement> {
  const messages = await send(
    pg,
    [serialize.parse({ name, text }), serialize.describe({ type: 'S', name })],
    durable,
  );
  return {
    types: parse.parseDescribeStatementResults(messages),
    rowDescription: messages.find((m) => m.name === 'rowDescription'),
  };
}

/** Bind and Execute of a parsed statement. */
export function bindExecute(
  pg: WireDb,
  statement: string,
  types: readonly number[],
  params: readonly unknown[],
): Uint8Array[] {
  const values = params.map((v, i) => {
    if (v === null || v === undefined) return null;
    // The same text PGlite's query() binds: its serializer for the inferred type, else the value as text.
    const serializer = pg.serializers[types[i] ?? 0];
    return serializer ? serializer(v) : String(v);
  });
  return [serialize.bind({ statement, values }), serialize.execute({})];
}

/** One result per executed statement, in order; each statement's kept row description goes before its rows. */
export function results(
  pg: WireDb,
  messages: Messages,
  statements: readonly ParsedStatement[],
): WireResult[] {
  const described: Message[] = [];
  let next = 0;
  for (const m of messages) {
    if (m.name === 'bindComplete') {
      const rowDescription = statements[next++]?.rowDescription;
      if (rowDescription) described.push(rowDescription);
    }
    described.push(m);
  }
  return parse.parseResults(described, pg.parsers) as WireResult[];
}

/**
 * A database error without values: the SQL is set as `query`, and the bound values that PGlite's own
 * query() attaches (`params`, `queryOptions`) are removed, so no log line or thread reply can carry them.
 */
export function withoutValues(err: unknown, text: string): unknown {
  if (!(err instanceof Error)) return err;
  const fields = err as unknown as Record<string, unknown>;
  delete fields['params'];
  delete fields['queryOptions'];
  if ('code' in err || 'query' in err) fields['query'] = text;
  return err;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
