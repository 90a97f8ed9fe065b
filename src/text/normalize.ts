/**
 * Unicode normalisation for matching: NFKC folds full-width forms (ＡＢＣ１２３ → ABC123), ligatures and
 * compatibility characters; lower-casing does the case folding. Zero-width characters are removed so that
 * "pass\u200bword" matches "password".
 */
const INVISIBLE = /[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]/g;

export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
}
