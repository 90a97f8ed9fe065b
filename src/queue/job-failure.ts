import { ERROR_CODES, type ErrorCode, type LoreError } from '../spec/errors.js';

/**
 * BullMQ keeps one string per failed job (`failedReason`, the error's message). Lore puts the LoreError's code
 * in front of it, so that `lore ingest --status` can report failures with their codes, like a plain ingest.
 */
export function jobFailureReason(error: LoreError): string {
  return `${error.code}: ${error.message}`;
}

export function parseJobFailure(reason: string | undefined): { code: ErrorCode; message: string } {
  const m = /^([A-Z_]+): ([\s\S]*)$/.exec(reason ?? '');
  if (m && (ERROR_CODES as readonly string[]).includes(m[1]!)) return { code: m[1] as ErrorCode, message: m[2]! };
  // BullMQ's own reasons, e.g. "job stalled more than allowable limit" when a file killed its worker repeatedly.
  return { code: 'INTERNAL', message: reason || 'failed without a reason' };
}
