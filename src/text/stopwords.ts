/**
 * English stop words: the closed-class words that carry no topic (articles, pronouns, auxiliaries,
 * prepositions). Kept short on purpose: "not", "no" and numbers stay searchable.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both ' +
    'but by can could did do does doing down during each few for from further had has have having he her here hers ' +
    'herself him himself his how i if in into is it its itself just me more most my myself of off on once only or ' +
    'other ought our ours ourselves out over own same she should so some such than that the their theirs them ' +
    'themselves then there these they this those through to too under until up very was we were what when where ' +
    'which while who whom why will with would you your yours yourself yourselves also may might must shall upon ' +
    'whether yet within without via etc thus hence'
  ).split(' '),
);

/**
 * Chinese function words: particles and pronouns that every passage contains. BM25's IDF would mostly
 * discount them anyway; dropping them keeps the index small and the query focused.
 */
export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set(
  '的 了 着 是 在 和 与 及 或 也 都 就 而 被 把 对 从 以 之 其 于 为 这 那 个 吗 呢 吧 啊 呀 哪 么 什么 怎么 如何 哪些 哪个 谁 有 我 你 他 她 它 们 我们 你们 他们 一个 上 中 下 等 所 该 此 将 则 由 请 问'.split(
    ' ',
  ),
);

export function isStopWord(word: string): boolean {
  return ENGLISH_STOP_WORDS.has(word) || CHINESE_STOP_WORDS.has(word);
}
