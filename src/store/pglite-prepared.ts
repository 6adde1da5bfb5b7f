// Prepared statements on PGlite, values bound (issue 13). PGlite's query() parses, describes and plans every
// statement afresh (on the unnamed statement); for the queue's claim or a batched enqueue planning alone is
// 1.5–2 ms in WebAssembly, more than running them. Here each data statement is Parsed once per database as a
// named statement (Postgres keeps its plan) and then run as Bind/Execute with its values as parameters
// (src/store/pglite-wire.ts): values never become SQL text.
//
// A batch goes to PGlite as one protocol call: Bind/Describe/Execute for every statement, then one Sync.
// Postgres runs the messages before a Sync as one implicit transaction (all or nothing, nothing left open on
// an error). A statement's expected row count is checked inside that transaction, by a helper function that
// raises, so a wrong count rolls everything back.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import {
  bindExecute,
  exclusive,
  parseNamed,
  type ParsedStatement,
  results,
  send,
  type WireDb,
  type WireResult,
  withoutValues,
} from './pglite-wire';
import { BatchExpectationError, runBatch, type SqlResult, type Statement } from './sql';

type Target = PGlite | Transaction;

interface Named extends ParsedStatement {
  readonly name: string;
}

/** Only plannable statements are named; DDL, DO blocks and transaction control run through query(). */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** The SQL of this code base is static text, so this is never reached; dynamic SQL must not grow it forever. */
const MAX_PREPARED = 256;

export interface PreparedQueries {
  /** Runs a statement on the database or on one of its transactions. */
  run<Row>(target: Target, text: string, params: readonly unknown[]): Promise<SqlResult<Row>>;
  /** The Sql port's batch: in one protocol call when every statement is named, else statement by statement. */
  batch(statements: readonly Statement[]): Promise<SqlResult<Record<string, unknown>>[]>;
}

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

/** One statement's result out of a batch (PGlite's affectedRows there is a running total). */
function resultOf(r: WireResult | undefined): SqlResult<Record<string, unknown>> {
  const command = r?.command ?? '';
  const affectedRows = DML_COMMANDS.has(command) ? (r?.rowCount ?? 0) : 0;
  return { rows: r?.rows ?? [], affectedRows };
}

function expectationError(err: unknown): BatchExpectationError | undefined {
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== EXPECT_CODE) return undefined;
  const m = /batch statement (\d+) affected (\d+) rows/.exec(err.message);
  return m ? new BatchExpectationError(Number(m[1]), Number(m[2])) : undefined;
}

export function preparedQueries(pg: PGlite): PreparedQueries {
  const wire: WireDb = pg;
  // Filled and read only while PGlite is held (exclusive), so two callers never parse one text twice.
  const cache = new Map<string, Named>();
  let next = 1;

  /** The named statement for text, parsed now if need be; undefined where it must run through query(). */
  async function namedFor(text: string, durable: boolean): Promise<Named | undefined> {
    const known = cache.get(text);
    if (known !== undefined) return known;
    if (!PREPARABLE.test(text) || cache.size >= MAX_PREPARED) return undefined;
    const name = `cg_${next++}`;
    // A statement that does not parse (a syntax error, a table not there yet) is tried afresh next time.
    const named = { name, ...(await parseNamed(wire, name, text, durable)) };
    cache.set(text, named);
    return named;
  }

  async function viaQuery<Row>(target: Target, text: string, params: readonly unknown[]) {
    const r = await target.query<Row>(text, [...params]);
    return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
  }

  async function run<Row>(target: Target, text: string, params: readonly unknown[]): Promise<SqlResult<Row>> {
    const inTransaction = target !== pg;
    try {
      const done = await exclusive(wire, inTransaction, async () => {
        const named = await namedFor(text, !inTransaction);
        if (named === undefined) return undefined;
        const messages = await send(wire, bindExecute(wire, named.name, named.types, params), !inTransaction);
        const r = results(wire, messages, [named]).at(-1);
        return { rows: (r?.rows ?? []) as Row[], affectedRows: r?.affectedRows ?? 0 };
      });
      // query() takes PGlite's locks itself, so it runs after the exclusive section.
      return done ?? (await viaQuery<Row>(target, text, params));
    } catch (err) {
      throw withoutValues(err, text);
    }
  }

  let helper: Promise<unknown> | undefined;
  const ensureHelper = (): Promise<unknown> =>
    (helper ??= pg.exec(EXPECT_FN_SQL).catch((err: unknown) => {
      helper = undefined;
      throw err;
    }));

  /** The batch as one protocol call, or undefined if a statement cannot go that way. */
  async function pipelined(statements: readonly Statement[]) {
    const checked = statements.map(withExpectation);
    if (checked.some((c) => c === undefined || !PREPARABLE.test(c.text))) return undefined;
    if (statements.some((s) => s.expectRows !== undefined)) await ensureHelper();
    return exclusive(wire, false, async () => {
      const messages: Uint8Array[] = [];
      const parsed: Named[] = [];
      for (const c of checked) {
        const named = c && (await namedFor(c.text, true));
        if (!c || !named) return undefined;
        messages.push(...bindExecute(wire, named.name, named.types, c.params));
        parsed.push(named);
      }
      return results(wire, await send(wire, messages, true), parsed);
    });
  }

  return {
    run,
    async batch(statements) {
      if (statements.length === 0) return [];
      let rs: WireResult[] | undefined;
      try {
        rs = await pipelined(statements);
      } catch (err) {
        throw expectationError(err) ?? withoutValues(err, statements.map((s) => s.text).join(';\n'));
      }
      if (rs === undefined)
        return pg.transaction((tx) => runBatch({ query: (t, p) => run(tx, t, p ?? []) }, statements));
      const out = rs;
      return statements.map((s, i) =>
        s.expectRows === undefined ? resultOf(out[i]) : { rows: [], affectedRows: s.expectRows },
      );
    },
  };
}
