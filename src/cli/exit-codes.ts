import type { ErrorCode } from '../spec/errors.js';

/** Exit codes, documented in the README: scripts can tell "some files failed" from "nothing worked". */
export const EXIT = {
  ok: 0,
  /** The command ran but some inputs failed (e.g. 3 of 40 files could not be ingested). */
  partial: 1,
  /** Wrong usage: unknown option, bad value. */
  usage: 2,
  /** What was asked for does not exist (collection, document, path). */
  notFound: 3,
  /** The database cannot be used (not Lore's, too new, corrupt). */
  database: 4,
  /** A bug: please report it. */
  internal: 70,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
      return EXIT.usage;
    case 'NOT_FOUND':
      return EXIT.notFound;
    case 'NOT_A_LORE_DATABASE':
    case 'DATABASE_TOO_NEW':
    case 'DATABASE_ERROR':
      return EXIT.database;
    case 'INTERNAL':
      return EXIT.internal;
    default:
      return EXIT.partial;
  }
}
