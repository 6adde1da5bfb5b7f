// A payment state or event name newer than this gateway is tolerated (issue 12): treated as not final, never as
// a failed operation, and logged once per distinct word per process, so an operator learns that Vipps added
// one without a line per payment. Only the word itself is logged, cut to a safe alphabet and length: it comes
// from outside, and nothing else of the payload belongs in a log line.
import type { Logger } from '../log';

export type UnknownWordKind = 'payment state' | 'payment event name';

const MAX_WORD = 40;
/** Bounds the memory a stream of made-up words could take; past it, new words are no longer logged. */
const MAX_REMEMBERED = 100;

const seen = new Set<string>();

/** The word as it may appear in a log line: [A-Za-z0-9_-] only, at most 40 characters. */
export function safeWord(value: string): string {
  const word = value.replace(/[^A-Za-z0-9_-]/g, '').slice(0, MAX_WORD);
  return word === '' ? '(unprintable)' : word;
}

/** Logs a warn line the first time this process meets `value` as a `kind`; returns whether it did. */
export function warnUnknownOnce(logger: Logger, kind: UnknownWordKind, value: string): boolean {
  const word = safeWord(value);
  const key = `${kind}:${word}`;
  if (seen.has(key) || seen.size > MAX_REMEMBERED) return false;
  seen.add(key);
  if (seen.size > MAX_REMEMBERED) {
    logger.warn('too many unknown Vipps words; no more are logged', { kind, limit: MAX_REMEMBERED });
    return false;
  }
  logger.warn(`unknown Vipps ${kind}; treated as not final`, { kind, value: word });
  return true;
}
