import { countMixedScriptWords, foldConfusables } from './confusables.js';

/**
 * Characters a reader does not see. Zero-width spaces and joiners split a trigger word for a filter but not
 * for a model ("ig\u200bnore"); the soft hyphen and word joiner do the same; U+180E is an old Mongolian
 * separator that renders as nothing.
 */
export const ZERO_WIDTH_RE = /[\u200b-\u200d\u2060-\u2064\ufeff\u00ad\u180e\u034f]/g;
/** Bidirectional controls reorder what is displayed (Trojan Source): the text a reader sees is not the text. */
export const BIDI_RE = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g;
/**
 * Unicode tag characters (U+E0000–E007F) mirror ASCII invisibly: "ASCII smuggling" hides a whole
 * instruction in them that models read and people cannot.
 */
const TAG_RE = /[\u{e0000}-\u{e007f}]/gu;
/** Variation selectors carry no glyph; long runs of them can encode bytes ("emoji smuggling"). */
const VARIATION_RE = /[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;

export interface NormalizedInput {
  /**
   * What the rules read: NFKC (full-width and mathematical letters folded), invisible and bidi characters
   * removed, look-alike letters mapped to ASCII, diacritics dropped from Latin letters, lower case, spaced
   * out letters joined ("i g n o r e" → "ignore"), runs of spaces collapsed.
   */
  skeleton: string;
  /** The skeleton with light leetspeak undone ("1gn0r3" → "ignore"); only words mixing letters and digits change. */
  unleet: string;
  /** Text hidden in tag characters, decoded to ASCII (empty when there was none). */
  smuggled: string;
  /** What normalisation found: each is a reason a verdict can carry. */
  findings: NormalizationFinding[];
}

export interface NormalizationFinding {
  kind: 'zero-width' | 'bidi' | 'tag-characters' | 'variation-selectors' | 'homoglyphs' | 'full-width' | 'spaced-letters' | 'leetspeak';
  count: number;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's', '!': 'i', '|': 'l' };

function countMatches(text: string, re: RegExp): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  re.lastIndex = 0;
  return n;
}

/**
 * The first layer of the detector: undo the tricks that make an instruction invisible to a pattern but not
 * to a model, and record which tricks were used (their presence is itself a signal). Linear in the text.
 */
export function normalizeInput(options: { text: string }): NormalizedInput {
  const text = options.text;
  const findings: NormalizationFinding[] = [];
  const add = (kind: NormalizationFinding['kind'], count: number) => {
    if (count > 0) findings.push({ kind, count });
  };

  let smuggled = '';
  const tags = countMatches(text, TAG_RE);
  if (tags > 0) {
    for (const ch of text.match(TAG_RE) ?? []) {
      const code = ch.codePointAt(0)! - 0xe0000;
      if (code >= 0x20 && code < 0x7f) smuggled += String.fromCharCode(code);
    }
  }
  add('tag-characters', tags);
  add('variation-selectors', countMatches(text, VARIATION_RE) > 4 ? countMatches(text, VARIATION_RE) : 0);
  add('zero-width', countMatches(text, ZERO_WIDTH_RE));
  add('bidi', countMatches(text, BIDI_RE));

  const visible = text.replace(TAG_RE, '').replace(VARIATION_RE, '').replace(ZERO_WIDTH_RE, '').replace(BIDI_RE, '');
  // Full-width Latin (ｉｇｎｏｒｅ) is a trick; full-width punctuation in Chinese text is ordinary.
  add('full-width', countMatches(visible, /[\uff21-\uff3a\uff41-\uff5a]/g));
  add('homoglyphs', countMixedScriptWords(visible.normalize('NFKC')));

  let skeleton = foldConfusables(visible.normalize('NFKC'));
  // Diacritics on Latin letters only ("ïgnörê"); Chinese and Japanese text is left alone.
  skeleton = skeleton
    .normalize('NFD')
    .replace(/(?<=[A-Za-z])\p{Mn}+/gu, '')
    .normalize('NFC')
    .toLowerCase();
  // "i g n o r e" / "i.g.n.o.r.e" / "i-g-n-o-r-e": four or more single letters joined by one separator.
  let spaced = 0;
  skeleton = skeleton.replace(/(?<![a-z])[a-z](?:[ .\-_*][a-z](?![a-z])){3,}/g, (run) => {
    spaced++;
    return run.replace(/[ .\-_*]/g, '');
  });
  add('spaced-letters', spaced);
  skeleton = skeleton.replace(/[ \t]+/g, ' ');

  let leet = 0;
  const unleet = skeleton.replace(/[a-z0-9@$!|]+/g, (word) => {
    if (!/[a-z]/.test(word) || !/[0-9@$!|]/.test(word) || /^[0-9]+(?:st|nd|rd|th|s|k|m|g|x|d|h|px|am|pm|kg|km|mb|gb|ms)?$/.test(word)) return word;
    const letters = word.replace(/[^a-z]/g, '').length;
    if (letters < 2) return word;
    leet++;
    return word.replace(/[0-9@$!|]/g, (c) => LEET[c] ?? c);
  });
  add('leetspeak', leet > 1 ? leet : 0);

  return { skeleton, unleet, smuggled, findings };
}
