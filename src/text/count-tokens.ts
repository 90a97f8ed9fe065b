const LETTER_OR_DIGIT = /[\p{L}\p{M}\p{N}]/u;
const SPACE = /\s/;

/** Chinese, Japanese, Thai… characters: about one token each in BPE vocabularies. */
function isDictionaryScript(code: number): boolean {
  return (
    (code >= 0x3040 && code <= 0x30ff) || // Hiragana, Katakana (incl. ー)
    (code >= 0x3400 && code <= 0x9fff) || // CJK unified ideographs + extension A
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility ideographs
    (code >= 0x20000 && code <= 0x3134f) || // CJK extensions B–G
    (code >= 0x0e00 && code <= 0x0eff) || // Thai, Lao
    (code >= 0x1000 && code <= 0x109f) || // Myanmar
    (code >= 0x1780 && code <= 0x17ff) || // Khmer
    code === 0x3005
  );
}

type Kind = 0 | 1 | 2 | 3; // space, word character, dictionary-script character, other
const ASCII_KIND: Kind[] = Array.from({ length: 128 }, (_, c) =>
  c === 32 || (c >= 9 && c <= 13) ? 0 : (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : 3,
);

function kindOf(code: number, char: string): Kind {
  if (code < 128) return ASCII_KIND[code]!;
  if (isDictionaryScript(code)) return 2;
  if (LETTER_OR_DIGIT.test(char)) return 1;
  return SPACE.test(char) ? 0 : 3;
}

/**
 * Estimates the tokens a typical LLM tokenizer (BPE such as cl100k / Qwen) spends on a text, without
 * shipping a vocabulary: a CJK character is about one token, an English word about 1.3 (words longer than
 * 8 characters split), and a punctuation mark about 0.7. Chunk sizes, overlaps and context budgets are all
 * counted with this one function, so they agree with each other. It needs no dictionary segmentation (a
 * Chinese word costs its characters however it is segmented) and runs as one pass over the characters,
 * cheap enough to call on every candidate piece while splitting.
 */
export function countTokens(text: string): number {
  let tokens = 0;
  let other = 0;
  let word = 0; // length of the current letter/digit run
  const endWord = () => {
    if (word > 0) tokens += 1 + Math.floor((word - 1) / 8);
    word = 0;
  };
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    let char = '';
    if (code >= 128) {
      code = text.codePointAt(i)!;
      char = String.fromCodePoint(code);
      if (code > 0xffff) i++;
    }
    const kind = kindOf(code, char);
    if (kind === 1) {
      word++;
      continue;
    }
    // An apostrophe inside a word ("don't") does not end it.
    if ((code === 0x27 || code === 0x2019) && word > 0 && kindOf(text.charCodeAt(i + 1), text[i + 1] ?? '') === 1) {
      word++;
      continue;
    }
    endWord();
    if (kind === 2) tokens++;
    else if (kind === 3) other++;
  }
  endWord();
  return tokens + Math.ceil(other * 0.7);
}
