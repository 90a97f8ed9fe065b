import { normalizeText } from '../text/normalize.js';

/** A number a text states, with every value it may stand for ("1.5万" is 1.5 and 15000). */
export interface NumberMention {
  text: string;
  values: number[];
}

const ENGLISH_UNITS: Record<string, number> = {
  zero: 0, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
  twice: 2, thrice: 3, dozen: 12,
};
const ENGLISH_SCALES: Record<string, number> = { hundred: 100, thousand: 1e3, million: 1e6, billion: 1e9 };
/**
 * "one" is left out on its own: "one of the blades", "no one" are not quantities, and a claim that says
 * "a blade" where the passage says "one blade" should not fail on it. It counts inside a compound
 * ("twenty-one", "one hundred").
 */
const ENGLISH_WORD = `(?:${[...Object.keys(ENGLISH_UNITS), ...Object.keys(ENGLISH_SCALES), 'one'].join('|')})`;
const ENGLISH_NUMBER = new RegExp(`\\b${ENGLISH_WORD}(?:(?:[\\s-]+|\\s+and\\s+)${ENGLISH_WORD})*\\b`, 'g');

const CHINESE_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CHINESE_SMALL_SCALES: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const CHINESE_BIG_SCALES: Record<string, number> = { 万: 1e4, 亿: 1e8 };
const CHINESE_NUMERAL = '[零〇一二两三四五六七八九十百千万亿]';
/**
 * Measure words and units after which a lone Chinese numeral is a quantity (三年, 五次, 两倍) and not part
 * of a name or an idiom (四川, 三角, 一般).
 */
const MEASURE = '(?:个|年|月|日|号|天|次|岁|米|公里|公分|厘米|毫米|千米|公斤|千克|克|吨|倍|人|名|届|座|种|项|分钟|秒|小时|周|世纪|元|度|层|条|部|本|位|家|所|台|辆|只|件|场|期|代|章|级|成|亩|平方|公顷|里)';
/**
 * After 一 only units of time and measure: 一个, 一种, 一名 are mostly the article "a", and a claim that
 * says "他是一名演员" where the passage says "他是演员" states nothing the passage lacks.
 */
const ONE_MEASURE = '(?:年|月|日|天|周|倍|米|公里|公斤|千克|吨|小时|分钟|秒|世纪|次|岁)';
/** Words made of numerals that are not numbers: 一般 (usually), 十分 (very), 万一 (in case), 千万 (by all means)… */
const NOT_NUMBERS = /一般|一样|一直|一起|一定|一切|一旦|一致|一同|一些|一边|一面|一度|一再|一向|一律|唯一|统一|万一|千万|十分|万分|百分百|一点|一下|不一|之一/gu;

/**
 * One pattern for every way a number is written, tried left to right: 百分之五 (five per cent) before the
 * Chinese numerals, so its 百 is not read as a hundred; digits with an optional Chinese or English scale;
 * ordinal Chinese numerals (第三); runs of two or more Chinese numerals; a lone Chinese numeral before a
 * measure word; English number words.
 */
const NUMBER = new RegExp(
  [
    `百分之(?<percent>${CHINESE_NUMERAL}+|\\d+(?:\\.\\d+)?)`,
    `(?<digits>\\d+(?:,\\d{3})*(?:\\.\\d+)?)(?:\\s*(?<scale>万|亿|千|百|(?:hundred|thousand|million|billion)(?![a-z])))?`,
    `第(?<ordinal>${CHINESE_NUMERAL}+)`,
    `(?<run>${CHINESE_NUMERAL}{2,})`,
    `(?<lone>[零〇二两三四五六七八九十百千万亿])(?=${MEASURE})`,
    `(?<one>一)(?=${ONE_MEASURE})`,
    `(?<english>${ENGLISH_NUMBER.source})`,
  ].join('|'),
  'gu',
);

/**
 * The numbers a text states, in digits, Chinese numerals (十八, 两百万, 百分之五) or English words
 * (eighteen, twenty-four, twice). A claim is only supported by a passage that states each of its numbers
 * (in any of these forms): "every 24 months" is not supported by "every 18 months" however many words the
 * two share.
 */
export function findNumbers(text: string): NumberMention[] {
  const normalized = normalizeText(text).replace(NOT_NUMBERS, (word) => ' '.repeat(word.length));
  const out: NumberMention[] = [];
  for (const m of normalized.matchAll(NUMBER)) {
    const g = m.groups ?? {};
    let values: number[] = [];
    if (g['percent'] !== undefined) {
      values = [/\d/.test(g['percent']) ? Number(g['percent']) : chineseValue(g['percent'])];
    } else if (g['digits'] !== undefined) {
      const base = Number(g['digits'].replaceAll(',', ''));
      const scale = g['scale'] ? (CHINESE_BIG_SCALES[g['scale']] ?? CHINESE_SMALL_SCALES[g['scale']] ?? ENGLISH_SCALES[g['scale']] ?? 1) : 1;
      values = scale === 1 ? [base] : [base, base * scale];
    } else if (g['ordinal'] !== undefined) {
      values = [chineseValue(g['ordinal'])];
    } else if (g['one'] !== undefined) {
      values = [1];
    } else if (g['run'] !== undefined || g['lone'] !== undefined) {
      values = [chineseValue((g['run'] ?? g['lone'])!)];
    } else if (g['english'] !== undefined) {
      if (g['english'] === 'one') continue;
      values = [englishValue(g['english'])];
    }
    values = values.filter((v) => Number.isFinite(v));
    if (values.length > 0) out.push({ text: m[0].trim(), values });
  }
  return out;
}

/**
 * The claim's numbers that the passage's do not account for. Each number the passage states accounts for
 * one of the claim's: "62话…62话" is not supported by "61话…62话", though 62 is there.
 */
export function unmatchedNumbers(options: { claim: NumberMention[]; passage: NumberMention[] }): NumberMention[] {
  const used = new Set<number>();
  return options.claim.filter((m) => {
    const i = options.passage.findIndex((p, j) => !used.has(j) && p.values.some((v) => m.values.includes(v)));
    if (i < 0) return true;
    used.add(i);
    return false;
  });
}

/** 十八 → 18, 两百万 → 2000000, 二〇一八 → 2018 (digit by digit when there is no scale character). */
export function chineseValue(text: string): number {
  if (![...text].some((c) => c in CHINESE_SMALL_SCALES || c in CHINESE_BIG_SCALES)) {
    return Number([...text].map((c) => CHINESE_DIGITS[c] ?? '').join(''));
  }
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const c of text) {
    if (c in CHINESE_DIGITS) {
      digit = CHINESE_DIGITS[c]!;
    } else if (c in CHINESE_SMALL_SCALES) {
      // 十 alone means 10 (十八 = 18).
      section += (digit || 1) * CHINESE_SMALL_SCALES[c]!;
      digit = 0;
    } else if (c in CHINESE_BIG_SCALES) {
      total = (total + section + digit) * CHINESE_BIG_SCALES[c]!;
      section = 0;
      digit = 0;
    }
  }
  return total + section + digit;
}

/** "twenty-four" → 24, "three hundred and five" → 305, "two million" → 2000000. */
function englishValue(text: string): number {
  let total = 0;
  let current = 0;
  for (const word of text.split(/[\s-]+/)) {
    if (word === 'and') continue;
    if (word === 'one') current += 1;
    else if (word in ENGLISH_UNITS) current += ENGLISH_UNITS[word]!;
    else if (word === 'hundred') current = (current || 1) * 100;
    else if (word in ENGLISH_SCALES) {
      total += (current || 1) * ENGLISH_SCALES[word]!;
      current = 0;
    }
  }
  return total + current;
}
