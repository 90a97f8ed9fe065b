/**
 * Scripts written without spaces between words. Runs of these go through `Intl.Segmenter`, which has a
 * dictionary for them; everything else is split by a Unicode-aware regular expression, which gives the same
 * words for space-separated languages and is ~25× faster (measured on Cranfield: 12 ms vs 300 ms).
 */
export const DICTIONARY_SCRIPT_CLASS =
  '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}\\u30fc\\u3005';

export const DICTIONARY_SCRIPT_RE = new RegExp(`[${DICTIONARY_SCRIPT_CLASS}]`, 'u');
export const HAN_RE = /\p{Script=Han}/u;

export function hasDictionaryScript(text: string): boolean {
  return DICTIONARY_SCRIPT_RE.test(text);
}
