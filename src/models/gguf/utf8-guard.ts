import { type LlamaModel, type Token, TokenBias } from 'node-llama-cpp';

/**
 * Keeps byte-fallback tokens (`<0xHH>`) from spelling invalid UTF-8 while a grammar is in force.
 *
 * llama.cpp's grammar matcher decodes UTF-8 leniently: it takes the length of a sequence from the lead
 * byte alone, so F4 BC B8 B6 (above U+10FFFF), ED A0 80 (a surrogate) and overlong forms such as
 * E0 80 A2 (a disguised `"`) pass as single characters. Node decodes each of those as two to four U+FFFD,
 * which breaks `maxLength` — or, for a disguised quote, the JSON itself. Measured on the random-weight
 * test model: 12 of 40 schema-constrained answers had such sequences. A trained model rarely produces
 * them, but "every output matches the schema" should not depend on that.
 *
 * The guard follows the bytes as they are generated and bans the byte tokens that cannot come next in
 * well-formed UTF-8 (Unicode table 3-7). Which non-byte token may follow a partial sequence is already
 * the grammar's business: it rejects anything that is not a continuation byte there.
 */
export interface Utf8Guard {
  /** The bias for the next token. */
  bias(): TokenBias;
  /** Tells the guard which token was generated (or given). */
  push(token: Token): void;
  /** Back to "between characters" (a new answer starts). */
  reset(): void;
}

type Range = readonly [number, number];
const CONTINUATION: Range = [0x80, 0xbf];

/** What may follow a lead byte: the range of the next byte and how many continuation bytes remain in all. */
function afterLead(byte: number): { range: Range; remaining: number } | undefined {
  if (byte >= 0xc2 && byte <= 0xdf) return { range: CONTINUATION, remaining: 1 };
  if (byte === 0xe0) return { range: [0xa0, 0xbf], remaining: 2 };
  if (byte === 0xed) return { range: [0x80, 0x9f], remaining: 2 };
  if (byte >= 0xe1 && byte <= 0xef) return { range: CONTINUATION, remaining: 2 };
  if (byte === 0xf0) return { range: [0x90, 0xbf], remaining: 3 };
  if (byte === 0xf4) return { range: [0x80, 0x8f], remaining: 3 };
  if (byte >= 0xf1 && byte <= 0xf3) return { range: CONTINUATION, remaining: 3 };
  return undefined;
}

/** Bytes that may start a character: ASCII and the valid lead bytes (never C0, C1, F5–FF, or a continuation). */
function canStart(byte: number): boolean {
  return byte < 0x80 || (byte >= 0xc2 && byte <= 0xf4);
}

/** A guard for this model, or undefined when its vocabulary has no byte tokens (nothing to guard). */
export function createUtf8Guard(options: { model: LlamaModel; byteTokens: ReadonlyMap<number, number> }): Utf8Guard | undefined {
  if (options.byteTokens.size === 0) return undefined;
  const byteOf = options.byteTokens;
  // The handful of distinct biases, built once: a new TokenBias per generated token would cost more.
  const banned = (allowed: (byte: number) => boolean): TokenBias => {
    const bias = new TokenBias(options.model.tokenizer);
    for (const [token, byte] of byteOf) if (!allowed(byte)) bias.set(token as Token, 'never');
    return bias;
  };
  const between = banned(canStart);
  const within = new Map<string, TokenBias>();
  const inRange = (range: Range): TokenBias => {
    const key = range.join('-');
    let bias = within.get(key);
    if (!bias) within.set(key, (bias = banned((b) => b >= range[0] && b <= range[1])));
    return bias;
  };

  let range: Range | undefined;
  let remaining = 0;
  return {
    bias: () => (range ? inRange(range) : between),
    push(token) {
      const byte = byteOf.get(token);
      if (byte === undefined) {
        range = undefined;
        remaining = 0;
      } else if (range && byte >= range[0] && byte <= range[1]) {
        remaining--;
        range = remaining > 0 ? CONTINUATION : undefined;
      } else {
        const next = afterLead(byte);
        range = next?.range;
        remaining = next?.remaining ?? 0;
      }
    },
    reset() {
      range = undefined;
      remaining = 0;
    },
  };
}
