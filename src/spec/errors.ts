/** The fixed list of error codes. A caller branches on `code`, a person reads `message`. */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_FILE',
  'ENCRYPTED_FILE',
  'FILE_TOO_LARGE',
  'EMPTY_FILE',
  'BINARY_FILE',
  'ENCODING_ERROR',
  'PARSE_ERROR',
  'NOT_A_LORE_DATABASE',
  'DATABASE_TOO_NEW',
  'DATABASE_ERROR',
  'ABORTED',
  'TIMEOUT',
  'RATE_LIMITED',
  'PROVIDER_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface LoreErrorOptions {
  code: ErrorCode;
  message: string;
  /** What the user can do about it; appended to the message. */
  hint?: string;
  cause?: unknown;
  /** The file, collection or database the error is about. */
  subject?: string;
  /** A transient failure (rate limit, 5xx, dropped connection): trying again may succeed. */
  retryable?: boolean;
  /** How long the other side asked us to wait before trying again (Retry-After). */
  retryAfterMs?: number;
}

/** The one error class of Lore: a code from a fixed list, a message that says what to do, the cause attached. */
export class LoreError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly subject?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(options: LoreErrorOptions) {
    const text = options.hint ? `${options.message} — ${options.hint}` : options.message;
    super(text, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LoreError';
    this.code = options.code;
    this.hint = options.hint;
    this.subject = options.subject;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isLoreError(value: unknown, code?: ErrorCode): value is LoreError {
  return value instanceof LoreError && (code === undefined || value.code === code);
}
