import { expect } from 'vitest';
import type { ErrorCode } from '../../../spec/errors.js';
import { LoreError } from '../../../spec/errors.js';

/** Runs `fn` and asserts it fails with a LoreError of `code`; returns the error for further checks. */
export async function expectLoreError(fn: () => unknown, code: ErrorCode): Promise<LoreError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a LoreError ${code}`).toBeInstanceOf(LoreError);
  expect((caught as LoreError).code).toBe(code);
  return caught as LoreError;
}
