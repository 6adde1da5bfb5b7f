// Prepared statements on PGlite. PGlite's query() parses, describes and plans every statement afresh (it binds
// to the unnamed statement each time); for the queue's claim or a batched enqueue planning alone is 1.5–2 ms in
// WebAssembly, more than running them. Here each data statement is PREPAREd once per database (Postgres keeps
// its plan) and run as EXECUTE with its values as literals, serialized by PGlite's own serializers for the
// parameter types Postgres inferred: the same text a bind would carry, so the same values arrive.
//
// A batch goes to PGlite as one multi-statement string: Postgres runs such a string as one implicit
// transaction (all or nothing, no transaction left open on an error), and a PGlite round trip costs more
// than a short statement. A statement's expected row count is checked inside that transaction, by a helper
// function that raises, so a wrong count rolls everything back as before.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { BatchExpectationError, runBatch, type SqlResult, type Statement } from './sql';

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
  /** The Sql port's batch: in one round trip when every statement is prepared, else statement by statement. */
  batch(pg: BatchTarget, statements: readonly Statement[]): Promise<SqlResult<Record<string, unknown>>[]>;
}

type BatchTarget = Pick<PGlite, 'query' | 'exec' | 'transaction'>;

// Session-scoped (pg_temp): nothing is written to the database's schema, and PGlite has one session.
const EXPECT_FN = 'pg_temp.cg_expect_rows';
const EXPECT_CODE = 'CGB01';
const EXPECT_FN_SQL = `CREATE OR REPLACE FUNCTION ${EXPECT_FN}(actual bigint, expected int, idx int) RETURNS bigint
  LANGUAGE plpgsql AS $cg$
  BEGIN
    IF actual <> expected THEN
      RAISE EXCEPTION 'batch statement % affected % rows', idx, actual USING ERRCODE = '${EXPECT_CODE}';
    END IF;
    RETURN actual;
  END $cg$`;
const WRITE_WITHOUT_RETURNING = /^\s*(insert|update|delete)\b(?![\s\S]*\breturning\b)/i;
const DML_COMMANDS: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

/** A write whose row count is checked in SQL: the count and the statement's index are two extra values. */
function withExpectation(s: Statement, index: number): { text: string; params: unknown[] } | undefined {
  if (s.expectRows === undefined) return { text: s.text, params: [...s.params] };
  if (!WRITE_WITHOUT_RETURNING.test(s.text)) return undefined;
  const n = s.params.length;
  return {
    text: `WITH cg_written AS (${s.text} RETURNING 1)
      SELECT ${EXPECT_FN}(count(*), $${n + 1}::int, $${n + 2}::int) AS n FROM cg_written`,
    params: [...s.params, s.expectRows, index],
  };
}

/** One statement's result out of a multi-statement exec (PGlite's affectedRows there is a running total). */
function resultOf(r: { rows: unknown[]; command?: string; rowCount?: number } | undefined) {
  const command = r?.command ?? '';
  const affectedRows = DML_COMMANDS.has(command) ? (r?.rowCount ?? 0) : 0;
  return { rows: (r?.rows ?? []) as Record<string, unknown>[], affectedRows };
}

function expectationError(err: unknown): BatchExpectationError | undefined {
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== EXPECT_CODE) return undefined;
  const m = /batch statement (\d+) affected (\d+) rows/.exec(err.message);
  return m ? new BatchExpectationError(Number(m[1]), Number(m[2])) : undefined;
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

  /** The prepared entry to run `text` with, or undefined where it must run unprepared. */
  async function preparedFor(target: Target, text: string): Promise<Prepared | undefined> {
    const prepared = cache.get(text);
    if (prepared === 'preparing') return undefined;
    if (prepared !== undefined) return prepared;
    if (!PREPARABLE.test(text) || cache.size >= MAX_PREPARED) return undefined;
    return prepare(target, text);
  }

  /** `EXECUTE name(literals)`, or undefined when the parameter count is wrong (Postgres's error, unprepared). */
  function executeText({ name, serializers }: Prepared, params: readonly unknown[]): string | undefined {
    if (params.length !== serializers.length) return undefined;
    const args = params.map((v, i) => literal(v, serializers[i])).join(', ');
    return args === '' ? `EXECUTE ${name}` : `EXECUTE ${name}(${args})`;
  }

  /** The statement as `EXECUTE`, preparing it first if need be; undefined where it must run unprepared. */
  async function executeFor(target: Target, text: string, params: readonly unknown[]) {
    const prepared = await preparedFor(target, text);
    return prepared && executeText(prepared, params);
  }

  async function run<Row>(target: Target, text: string, params: readonly unknown[]): Promise<SqlResult<Row>> {
    const execute = await executeFor(target, text, params);
    if (execute === undefined) return unprepared<Row>(target, text, params);
    try {
      const results = await target.exec(execute);
      const r = results[results.length - 1];
      return { rows: (r?.rows ?? []) as Row[], affectedRows: r?.affectedRows ?? 0 };
    } catch (err) {
      throw withStatementText(err, text);
    }
  }

  let helper: Promise<unknown> | undefined;

  /** The batch as one string of EXECUTEs, or undefined if a statement cannot go that way. */
  async function batchText(pg: BatchTarget, statements: readonly Statement[]): Promise<string | undefined> {
    if (statements.some((s) => s.expectRows !== undefined)) {
      helper ??= pg.exec(EXPECT_FN_SQL).catch((err: unknown) => {
        helper = undefined;
        throw err;
      });
      await helper;
    }
    const parts: string[] = [];
    for (const [i, s] of statements.entries()) {
      const checked = withExpectation(s, i);
      const execute = checked && (await executeFor(pg, checked.text, checked.params));
      if (execute === undefined) return undefined;
      parts.push(execute);
    }
    return parts.join(';\n');
  }

  return {
    run,
    async batch(pg, statements) {
      if (statements.length === 0) return [];
      const text = await batchText(pg, statements);
      if (text === undefined)
        return pg.transaction((tx) => runBatch({ query: (t, p) => run(tx, t, p ?? []) }, statements));
      try {
        const results = await pg.exec(text);
        return statements.map((s, i) =>
          s.expectRows === undefined ? resultOf(results[i]) : { rows: [], affectedRows: s.expectRows },
        );
      } catch (err) {
        throw expectationError(err) ?? withStatementText(err, statements.map((s) => s.text).join(';\n'));
      }
    },
  };
}
