const HAN = /\p{Script=Han}/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;
const LETTER = /\p{L}/u;

/**
 * The main language family of a text by script: 'zh' (Han), 'ja' (kana present), 'ko' (Hangul), or
 * 'latin' for everything else. Enough to decide whether an embedder that only knows English can represent
 * a text, without a language-identification model. CJK characters each carry a word's worth of meaning,
 * so they are weighted ×3 against Latin letters.
 */
export function detectScript(text: string): 'zh' | 'ja' | 'ko' | 'latin' | 'none' {
  let han = 0;
  let kana = 0;
  let hangul = 0;
  let letters = 0;
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    letters++;
    if (HAN.test(ch)) han++;
    else if (KANA.test(ch)) kana++;
    else if (HANGUL.test(ch)) hangul++;
  }
  if (letters === 0) return 'none';
  const cjk = (han + kana + hangul) * 3;
  if (cjk < letters - han - kana - hangul) return 'latin';
  if (kana > 0) return 'ja';
  return hangul > han ? 'ko' : 'zh';
}

/** Whether a model that represents `languages` (BCP 47 codes; empty = any) can embed this text well. */
export function supportsText(languages: readonly string[], text: string): boolean {
  if (languages.length === 0) return true;
  const script = detectScript(text);
  if (script === 'none') return true;
  if (script === 'latin') return languages.some((l) => !/^(zh|ja|ko)/.test(l));
  return languages.some((l) => l.startsWith(script));
}
