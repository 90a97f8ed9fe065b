import { isLoreError, type LoreError } from '../spec/errors.js';

/** What an HTTP response says went wrong: a status, a stable code for programs, a message for people. */
export interface HttpErrorOptions {
  status: number;
  /** Stable code for programs, e.g. `NOT_FOUND`, `RATE_LIMITED`. */
  code: string;
  message: string;
  /** Seconds a client should wait (429, 503): sent as Retry-After. */
  retryAfterS?: number;
  /** Validation problems, by path, for a 400. */
  issues?: Array<{ path: string; message: string }>;
  /** OpenAI's code for the same error on `/v1` (`invalid_api_key`, `model_not_found`…). */
  openaiCode?: string;
  cause?: unknown;
}

/** An error that already knows its HTTP status. Handlers throw it; the server turns it into a response. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterS?: number;
  readonly issues?: Array<{ path: string; message: string }>;
  readonly openaiCode?: string;

  constructor(options: HttpErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = options.status;
    this.code = options.code;
    this.retryAfterS = options.retryAfterS;
    this.issues = options.issues;
    this.openaiCode = options.openaiCode;
  }
}

export const notFound = (message: string, openaiCode = 'not_found') => new HttpError({ status: 404, code: 'NOT_FOUND', message, openaiCode });
export const badRequest = (message: string) => new HttpError({ status: 400, code: 'INVALID_ARGUMENT', message, openaiCode: 'invalid_value' });
export const forbidden = (message: string) => new HttpError({ status: 403, code: 'FORBIDDEN', message, openaiCode: 'insufficient_permissions' });

/** Lore's error codes as HTTP statuses: the client's fault (4xx) or ours / upstream's (5xx). */
function statusOfLoreError(error: LoreError): number {
  switch (error.code) {
    case 'INVALID_ARGUMENT':
      return 400;
    case 'NOT_FOUND':
      return 404;
    case 'FILE_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_FORMAT':
    case 'CORRUPT_FILE':
    case 'ENCRYPTED_FILE':
    case 'EMPTY_FILE':
    case 'BINARY_FILE':
    case 'ENCODING_ERROR':
    case 'PARSE_ERROR':
      return 422;
    case 'ABORTED':
      // nginx's "client closed request": only ever seen in logs, the client is gone.
      return 499;
    case 'RATE_LIMITED':
      return 429;
    case 'PROVIDER_ERROR':
      return 502;
    case 'TIMEOUT':
      return 504;
    default:
      return 500;
  }
}

/** Any thrown value as an HttpError; unexpected errors keep their cause (for the log) but not their text. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (isLoreError(error)) {
    const status = statusOfLoreError(error);
    return new HttpError({
      status,
      code: error.code,
      message: status >= 500 && status !== 502 && status !== 504 ? 'Internal error; see the server log' : error.message,
      retryAfterS: error.retryAfterMs !== undefined ? Math.ceil(error.retryAfterMs / 1000) : undefined,
      openaiCode: status === 404 ? 'not_found' : status === 400 ? 'invalid_value' : undefined,
      cause: error,
    });
  }
  return new HttpError({ status: 500, code: 'INTERNAL', message: 'Internal error; see the server log', cause: error });
}

/** OpenAI's `type` for a status, as its API sends it (a bad key is an `invalid_request_error` there too). */
export function openaiErrorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
