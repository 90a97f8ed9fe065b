import { segmentWords } from './segment-words.js';

/**
 * Estimates the tokens a typical LLM tokenizer (BPE such as cl100k / Qwen) spends on a text, without
 * shipping a vocabulary: a CJK character is about one token, an English word about 1.3 (long words split),
 * and each punctuation mark one. Chunk sizes, overlaps and context budgets are all counted with this one
 * function, so they agree with each other.
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  let tokens = 0;
  let wordChars = 0;
  for (const w of segmentWords(text)) {
    wordChars += w.end - w.start;
    tokens += w.dictionary ? w.text.length : 1 + Math.floor(Math.max(0, w.text.length - 1) / 8);
  }
  // Punctuation and symbols: everything that is neither a word nor white space.
  const other = text.length - wordChars - (text.match(/\s/g)?.length ?? 0);
  return tokens + Math.max(0, Math.ceil(other * 0.7));
}
