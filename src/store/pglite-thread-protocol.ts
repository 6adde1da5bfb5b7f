// Messages between the event loop and the PGlite thread (src/store/pglite-thread.ts). Values cross by
// structured clone: Dates, Uint8Arrays (bytea), arrays and parsed jsonb arrive as they left.
import { BatchExpectationError, type Statement } from './sql';

// A transaction's id is chosen by the event loop, so its statements can follow `begin` without waiting for it.
export type Request =
  | {
      readonly id: number;
      readonly op: 'query';
      readonly text: string;
      readonly params: unknown[];
      readonly tx?: number;
    }
  | { readonly id: number; readonly op: 'begin'; readonly tx: number }
  | { readonly id: number; readonly op: 'end'; readonly tx: number; readonly commit: boolean }
  | { readonly id: number; readonly op: 'batch'; readonly statements: readonly Statement[] }
  | { readonly id: number; readonly op: 'close' };

/** A database error as plain fields: an Error's own properties (the SQLSTATE `code`) do not survive a clone. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number>>;
}

export type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

export interface ThreadData {
  /** A data directory, or undefined for an in-memory database. */
  readonly dataDir: string | undefined;
}

/** The result of a query as it crosses. */
export interface WireResult {
  readonly rows: unknown[];
  readonly affectedRows: number;
}

export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(err))
    if ((typeof v === 'string' || typeof v === 'number') && k !== 'query') fields[k] = v;
  return { name: err.name, message: err.message, fields };
}

export function fromWireError(wire: WireError): Error {
  // The class does not cross the thread, its fields do: callers test for it with instanceof.
  if (wire.name === 'BatchExpectationError')
    return new BatchExpectationError(Number(wire.fields['index']), Number(wire.fields['affectedRows']));
  const err = Object.assign(new Error(wire.message), wire.fields);
  err.name = wire.name;
  return err;
}
