import type { SplitOptions } from '../../spec/document.js';

/** The chunk size and overlap the rest of Lore uses unless a collection says otherwise. */
export const DEFAULT_SPLIT_OPTIONS: Readonly<SplitOptions> = Object.freeze({ chunkSize: 400, overlap: 40 });

/**
 * Rejects sizes the splitters cannot honour. An overlap as large as the chunk would leave no room for new
 * text, so every chunk would advance by a single unit and the chunk count would explode.
 */
export function checkSplitOptions({ chunkSize, overlap }: SplitOptions): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive whole number of tokens (got ${chunkSize})`);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= chunkSize) {
    throw new RangeError(`overlap must be a whole number of tokens from 0 to below chunkSize (got ${overlap})`);
  }
}
