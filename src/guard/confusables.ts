/**
 * Letters from other scripts that look like Latin ones (Unicode's confusables, the part attackers use):
 * "іgnоrе" written with Cyrillic і, о, е passes a filter that looks for "ignore". Mathematical and
 * full-width letters need no table: NFKC folds them. The list is the Cyrillic, Greek, Armenian and
 * Cherokee letters that render like ASCII in common fonts, plus a few Latin look-alikes (dotless i, long s).
 */
const PAIRS: Array<[string, string]> = [
  // Cyrillic lower case
  ['а', 'a'], ['в', 'b'], ['е', 'e'], ['ё', 'e'], ['һ', 'h'], ['і', 'i'], ['ї', 'i'], ['ј', 'j'], ['к', 'k'], ['м', 'm'],
  ['н', 'h'], ['о', 'o'], ['р', 'p'], ['с', 'c'], ['т', 't'], ['у', 'y'], ['х', 'x'], ['ѕ', 's'], ['ԁ', 'd'], ['ԛ', 'q'],
  ['ԝ', 'w'], ['ү', 'y'], ['ӏ', 'l'], ['ɡ', 'g'], ['ո', 'n'], ['ս', 'u'], ['օ', 'o'], ['ց', 'g'], ['հ', 'h'], ['զ', 'q'],
  // Cyrillic upper case
  ['А', 'A'], ['В', 'B'], ['Е', 'E'], ['К', 'K'], ['М', 'M'], ['Н', 'H'], ['О', 'O'], ['Р', 'P'], ['С', 'C'], ['Т', 'T'],
  ['Х', 'X'], ['І', 'I'], ['Ј', 'J'], ['Ѕ', 'S'], ['Ү', 'Y'], ['Ԁ', 'D'], ['Ԛ', 'Q'], ['Ԝ', 'W'],
  // Greek
  ['α', 'a'], ['β', 'b'], ['ε', 'e'], ['ι', 'i'], ['κ', 'k'], ['ν', 'v'], ['ο', 'o'], ['ρ', 'p'], ['τ', 't'], ['υ', 'u'],
  ['χ', 'x'], ['γ', 'y'], ['ω', 'w'], ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'], ['Ι', 'I'], ['Κ', 'K'],
  ['Μ', 'M'], ['Ν', 'N'], ['Ο', 'O'], ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'],
  // Cherokee capitals that look Latin
  ['Ꭺ', 'A'], ['Ᏼ', 'B'], ['Ꮯ', 'C'], ['Ꭼ', 'E'], ['Ꮋ', 'H'], ['Ꮖ', 'I'], ['Ꭻ', 'J'], ['Ꮶ', 'K'], ['Ꮇ', 'M'], ['Ꮲ', 'P'],
  ['Ꮪ', 'S'], ['Ꭲ', 'T'], ['Ꮃ', 'W'], ['Ꮓ', 'Z'],
  // Latin look-alikes
  ['ı', 'i'], ['ſ', 's'], ['ł', 'l'], ['ø', 'o'], ['đ', 'd'], ['ħ', 'h'], ['ŀ', 'l'], ['ɑ', 'a'], ['ɩ', 'i'], ['ʏ', 'y'],
];

export const CONFUSABLES: ReadonlyMap<string, string> = new Map(PAIRS);

const CLASS = new RegExp(`[${PAIRS.map(([from]) => from).join('')}]`, 'gu');

/** Replaces look-alike letters with the ASCII letters they imitate. */
export function foldConfusables(text: string): string {
  return text.replace(CLASS, (ch) => CONFUSABLES.get(ch) ?? ch);
}

/** Whether the text mixes look-alike letters into Latin words ("pаssword" with a Cyrillic а). */
export function countMixedScriptWords(text: string): number {
  let count = 0;
  for (const word of text.match(/[\p{L}\p{M}]+/gu) ?? []) {
    if (!/[a-z]/i.test(word)) continue;
    CLASS.lastIndex = 0;
    if (CLASS.test(word)) count++;
  }
  CLASS.lastIndex = 0;
  return count;
}
