// Prepared statements on PGlite. PGlite's query() parses, describes and plans every statement afresh (it binds
// to the unnamed statement each time); for the queue's claim or a batched enqueue planning alone is 1.5–2 ms in
// WebAssembly, more than running them. Here each data statement is PREPAREd once per database (Postgres keeps
// its plan) and run as EXECUTE with its values as literals, serialized by PGlite's own serializers for the
// parameter types Postgres inferred: the same text a bind would carry, so the same values arrive.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlResult } from './sql';

type Target = Pick<PGlite | Transaction, 'query' | 'exec'>;
type Serializer = (value: unknown) => string;

interface Prepared {
  readonly name: string;
  readonly serializers: readonly (Serializer | undefined)[];
}

/** Only plannable statements can be prepared; DDL, DO blocks and transaction control run as they are. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** The SQL of this code base is static text, so this is never reached; dynamic SQL must not grow it forever. */
const MAX_PREPARED = 256;

/** A SQL string literal; standard_conforming_strings is on (Postgres's default), so only quotes are doubled. */
function literal(value: unknown, serializer: Serializer | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  const text = serializer ? serializer(value) : String(value);
  return `'${text.replace(/'/g, "''")}'`;
}

/** The values never reach an error: the EXECUTE text that carries them is replaced by the statement's SQL. */
function withStatementText(err: unknown, text: string): unknown {
  if (err instanceof Error && 'query' in err) Object.assign(err, { query: text });
  return err;
}

export interface PreparedQueries {
  /** Runs a statement on the database or on one of its transactions. */
  run<Row>(target: Target, text: string, params: readonly unknown[]): Promise<SqlResult<Row>>;
}

export function preparedQueries(pg: Pick<PGlite, 'serializers'>): PreparedQueries {
  // Entries are set once prepared. While one is being prepared, other callers run the statement unprepared:
  // waiting could deadlock, when the PREPARE waits behind a transaction whose own statement waits for it.
  const cache = new Map<string, Prepared | 'preparing'>();
  let next = 1;

  async function prepare(target: Target, text: string): Promise<Prepared> {
    cache.set(text, 'preparing');
    try {
      const name = `cg_${next++}`;
      // Through query(), not exec(): the extended protocol takes one statement, as the Sql port promises.
      await target.query(`PREPARE ${name} AS ${text}`);
      const described = await target.query<{ types: number[] }>(
        'SELECT parameter_types::oid[] AS types FROM pg_prepared_statements WHERE name = $1',
        [name],
      );
      const types = described.rows[0]?.types ?? [];
      const prepared = {
        name,
        serializers: types.map((oid) => pg.serializers[oid] as Serializer | undefined),
      };
      cache.set(text, prepared);
      return prepared;
    } catch (err) {
      // A statement that does not prepare (a syntax error, a table not there yet) is tried afresh next time.
      cache.delete(text);
      throw err;
    }
  }

  async function unprepared<Row>(target: Target, text: string, params: readonly unknown[]) {
    const r = await target.query<Row>(text, [...params]);
    return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
  }

  return {
    async run<Row>(target: Target, text: string, params: readonly unknown[]): Promise<SqlResult<Row>> {
      let prepared = cache.get(text);
      if (prepared === 'preparing') return unprepared<Row>(target, text, params);
      if (prepared === undefined) {
        if (!PREPARABLE.test(text) || cache.size >= MAX_PREPARED)
          return unprepared<Row>(target, text, params);
        prepared = await prepare(target, text);
      }
      const { name, serializers } = prepared;
      // A wrong count gets Postgres's own error, as before.
      if (params.length !== serializers.length) return unprepared<Row>(target, text, params);
      const args = params.map((v, i) => literal(v, serializers[i])).join(', ');
      try {
        const results = await target.exec(args === '' ? `EXECUTE ${name}` : `EXECUTE ${name}(${args})`);
        const r = results[results.length - 1];
        return { rows: (r?.rows ?? []) as Row[], affectedRows: r?.affectedRows ?? 0 };
      } catch (err) {
        throw withStatementText(err, text);
      }
    },
  };
}
