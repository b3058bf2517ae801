// The message of an error as its source said it: drizzle's "Failed query: …" wrapper is unwrapped to
// the driver's (PostgreSQL's) message. Pure; imported by every layer, imports none.
import { DrizzleQueryError } from 'drizzle-orm/errors';

/** The innermost error drizzle wrapped (the driver's), or the error itself. */
export function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof DrizzleQueryError && current.cause) current = current.cause;
  return current;
}

/** JavaScript's own errors: "Cannot read properties of null" needs its class to make sense. The
 * project's errors, PostgreSQL's and the libraries' are sentences that stand alone. */
const BUILT_IN_ERRORS = new Set(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']);

/** One line: the root cause's message, prefixed with its class name when that says something. */
export function causeMessage(error: unknown): string {
  const root = rootCause(error);
  if (root instanceof Error) {
    const message = root.message.replace(/\s+/g, ' ').trim();
    return BUILT_IN_ERRORS.has(root.name) ? `${root.name}: ${message}` : message;
  }
  return String(root);
}
