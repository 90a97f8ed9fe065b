import { analyze } from '../text/analyze.js';
import { findNumbers, type NumberMention } from './claim-numbers.js';
import { NO_ANSWER_TEXT, NO_ANSWER_TEXT_ZH } from './extractive-answer.js';

/** What a sentence of an answer claims, as the citation check compares it with passages. */
export interface ClaimContent {
  /** Whether the sentence asserts anything a passage could support. */
  isClaim: boolean;
  /** Its distinct analysed content terms: no stop words, no words about the answer itself, no numbers. */
  terms: string[];
  /** The numbers it states; each must be found in a supporting passage. */
  numbers: NumberMention[];
}

/**
 * Words an answer uses to talk about itself, its sources or the reader ("Here is what the manual says:",
 * "I hope this helps", "根据文档", "希望对您有帮助"). They are not part of a claim: "According to the
 * manual, the oil is replaced every 18 months" claims only what the passage must say, and a sentence made
 * of nothing else claims nothing. Analysed like everything else, so "says" matches as "sai".
 */
const DISCOURSE_TERMS: ReadonlySet<string> = new Set(
  analyze(
    [
      'here here\'s hope help helps helpful let know feel free ask asked question questions answer answers answered',
      'source sources document documents documentation passage passages text texts manual guide context provided provide',
      'based according say says said state states stated mention mentions mentioned describe describes described',
      'information info detail details summary summarize summarise note noted following follows below above further',
      'additional please sure glad happy certainly course thank thanks welcome unfortunately hi hello clarify explain',
      'explains find found contain contains contained cover covers covered unable no not nothing specify specified',
      'available given shown show shows see seen refer refers reference excerpt excerpts quote quoted cited cite',
      '希望 有所 帮助 根据 文 档 文档 资料 来源 以下 如下 下面 上述 以上 手册 问题 回答 答案 内容 提到 提及 说明 显示',
      '段落 您 没有 能 这个 这些 就是 信息 总结 总之 综上所述 所述 参考 详细 更多 如有 其他 随时 告诉 欢迎 谢谢 相关',
      '中的 里 一点 给出 提供 包含 涉及 介绍 所示 原文 引用 可见 看出',
    ].join(' '),
  ),
);

/** Analysed terms that are numbers (digits or Chinese numerals, and their bigrams) or English number words. */
const NUMBER_TERM = /^(?:[\d.,]+|[零〇一二两三四五六七八九十百千万亿]+)$/u;
const NUMBER_WORD_TERMS: ReadonlySet<string> = new Set(
  analyze('zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion twice thrice dozen'),
);

/** A lead-in: ends with a colon, or opens with "Here is…" / "以下是…". */
const LEAD_IN = /[:：]$|^(?:(?:sure|certainly|of course|ok(?:ay)?|yes)[!,.\s]+)?here(?:'s| is| are)\b|^以下(?:是|为)|^下面是/i;
/** A sentence about what the sources do not say: a remark on the sources, not a claim a passage could support. */
const ABOUT_SOURCES =
  /\b(?:sources?|documents?|documentation|passages?|context|manual|texts?)\b.*\b(?:not|no|n't|nothing)\b.*\b(?:say|says|state|states|mention|mentions|contain|contains|cover|covers|answer|answers|specify|specifies|include|includes|provide|provides|give|gives|discuss|discusses)\b|(?:文档|资料|来源|段落|上下文|手册|原文).*(?:没有|未|不|并未).*(?:提到|说明|提及|包含|回答|涉及|给出|记载)/i;
const QUESTION = /[?？]$/;
const HEADING = /^#{1,6}\s/;

/**
 * What a sentence claims. A sentence claims nothing when it is a question, a heading, a lead-in to what
 * follows, the extractive answer's "no passage answers this", a remark on what the sources do not say, or
 * has no content term and no number once the words about the answer itself are set aside.
 */
export function claimContent(options: { sentence: string }): ClaimContent {
  const sentence = options.sentence.trim();
  const numbers = findNumbers(sentence);
  const terms = [...new Set(analyze(sentence))].filter((t) => !DISCOURSE_TERMS.has(t) && !NUMBER_TERM.test(t) && !NUMBER_WORD_TERMS.has(t));
  const remark =
    QUESTION.test(sentence) ||
    HEADING.test(sentence) ||
    sentence === NO_ANSWER_TEXT ||
    sentence === NO_ANSWER_TEXT_ZH ||
    ABOUT_SOURCES.test(sentence) ||
    (LEAD_IN.test(sentence) && numbers.length === 0);
  return { isClaim: !remark && (terms.length > 0 || numbers.length > 0), terms, numbers };
}
