import { findNumbers } from '../../rag/claim-numbers.js';
import { analyze } from '../../text/analyze.js';
import type { Candidate, GenerationChunk } from './candidate.js';
import { informativeness, keywords, sourceSentences, type SourceSentence } from './passage-sentences.js';

/**
 * The offline generator: questions from templates over the passages' own sentences, no model. Factual
 * questions ask for a number the sentence states ("每多少个月更换一次齿轮油？", or a cloze for English),
 * for what a defined thing is ("What is the yaw drive?", "尤金袋鼠是什么？"), or for a missing rare word
 * (cloze). Paraphrased questions name the passage's rarest words instead of quoting it; multi-chunk
 * questions ask about one sentence of each of two related passages. The reference answer is the
 * sentence (or both sentences) as written. Deterministic for a given seed.
 */
export interface TemplateContext {
  idf: (term: string) => number;
  random: () => number;
  /** Sentences already asked about: one question per sentence. */
  used: Set<string>;
}

const PRONOUN_START = /^(?:it|this|that|these|those|they|there|he|she|we|you|i|which|what|here|such|its|their)\b/i;
const ZH_PRONOUN_START = /^(?:这|那|它|他|她|其|此|该|我|你)/;

function strip(sentence: string): string {
  return sentence.replace(/[.!。！;；]+$/, '').trim();
}

function available(sentences: SourceSentence[], ctx: TemplateContext): SourceSentence[] {
  return sentences.filter((s) => !ctx.used.has(s.text));
}

/** The most informative unused sentences, one of the best three picked at random. */
function pickSentence(sentences: SourceSentence[], ctx: TemplateContext): SourceSentence | undefined {
  const ranked = available(sentences, ctx).sort((a, b) => informativeness(b.text, ctx.idf) - informativeness(a.text, ctx.idf));
  if (ranked.length === 0) return undefined;
  return ranked[Math.floor(ctx.random() * Math.min(3, ranked.length))];
}

function numberQuestion(s: SourceSentence): string | undefined {
  const body = strip(s.text);
  for (const m of findNumbers(body)) {
    const at = body.indexOf(m.text);
    if (at < 0) continue;
    if (s.language === 'zh') {
      const after = body.slice(at + m.text.length);
      // A year asks "which year", a count "how many".
      const isYear = after.startsWith('年') && m.values.some((v) => v >= 1000 && v <= 2100);
      const asked = isYear ? `${body.slice(0, at)}哪一年${after.slice(1)}` : `${body.slice(0, at)}多少${after}`;
      return `${asked}？`;
    }
    return `Which number completes this statement: "${body.slice(0, at)}____${body.slice(at + m.text.length)}"?`;
  }
  return undefined;
}

function definitionQuestion(s: SourceSentence): string | undefined {
  const body = strip(s.text);
  if (s.language === 'zh') {
    const m = /^([^，,。；：:“”"]{2,16}?)是([^。]{4,})$/u.exec(body);
    if (!m || ZH_PRONOUN_START.test(m[1]!) || /[不也就还都]$/.test(m[1]!)) return undefined;
    return `${m[1]}是什么？`;
  }
  const m = /^((?:the|a|an)\s+)?([A-Za-z][\w'-]*(?:\s+[\w'-]+){0,4}?)\s+(is|are|was|were)\s+(.+)$/i.exec(body);
  if (!m || PRONOUN_START.test(m[2]!) || m[4]!.split(' ').length < 3 || /^(not|also|then|now|used|made|done|checked)\b/i.test(m[4]!)) return undefined;
  const article = m[1] ? m[1].toLowerCase() : '';
  return `What ${m[3]!.toLowerCase()} ${article}${m[2]}?`;
}

function clozeQuestion(s: SourceSentence, ctx: TemplateContext): string | undefined {
  const body = strip(s.text);
  // The rarest word that is not the sentence's first: a blank at the very start reads badly.
  const word = keywords(body, ctx.idf).find((k) => k.start > 0);
  if (!word) return undefined;
  const blanked = `${body.slice(0, word.start)}____${body.slice(word.end)}`;
  return s.language === 'zh' ? `下面这句话中空缺的词语是什么：“${blanked}”？` : `Which word completes this statement: "${blanked}"?`;
}

export function factualCandidate(chunk: GenerationChunk, ctx: TemplateContext): Candidate | undefined {
  const sentences = available(sourceSentences(chunk), ctx);
  // Try the sentences in a random order, each with the templates in a random order, so that the test set
  // is not all cloze questions.
  const order = sentences.map((s) => ({ s, r: ctx.random() })).sort((a, b) => a.r - b.r);
  for (const { s } of order) {
    const makers = [numberQuestion, definitionQuestion, (x: SourceSentence) => clozeQuestion(x, ctx)].map((f) => ({ f, r: ctx.random() })).sort((a, b) => a.r - b.r);
    for (const { f } of makers) {
      const question = f(s);
      if (question) return { type: 'factual', language: s.language, question, reference: s.text, sources: [chunk] };
    }
  }
  return undefined;
}

function topicOf(chunk: GenerationChunk, language: 'en' | 'zh'): string {
  const heading = chunk.headingPath.at(-1)?.replace(/^#+\s*/, '').trim();
  if (language === 'zh') return heading ? `“${heading}”一节` : chunk.title ? `《${chunk.title}》` : '文档';
  return heading ? `the section "${heading}"` : chunk.title ? `"${chunk.title}"` : 'the documentation';
}

/** Words that modify the noun after them: "the leading edge", "the slow rotation". */
const MODIFIER = /(?:ing|al|ic|ive|ous|ary|ful|less|able|ible|ed)$|^(?:slow|fast|high|low|small|large|big|long|short|main|new|old|modern|early|late|hot|cold|full|empty|first|last)$/i;
const DETERMINER = /\b(?:the|a|an|each|every|its|their|this|these|those|any|all)\s+([A-Za-z][\w-]*)(?:\s+([A-Za-z][\w-]*))?/g;

/**
 * English: the nouns a sentence is about, read as the word after a determiner ("the gearbox", "each
 * blade"), with the next word when the first modifies it ("the leading edge"). No part-of-speech model;
 * good enough to name a passage's topic without quoting it.
 */
function nounPhrases(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(DETERMINER)) {
    const [, first, second] = m;
    if (!first || isStopWordLike(first)) continue;
    out.push(second && MODIFIER.test(first) && !isStopWordLike(second) ? `${first} ${second}` : first);
  }
  return out;
}

function isStopWordLike(word: string): boolean {
  return word.length < 3 || /^(?:the|a|an|of|to|in|on|at|for|and|or|is|are|was|were|be|by|with|from|as|it|its|this|that)$/i.test(word);
}

/** Chinese words that name no topic: counts and frequencies (每年, 六个月), and common verbs and connectives. */
const ZH_COUNT = /[零〇一二两三四五六七八九十百千万亿每几]/u;
/** A segment that starts or ends with a particle is a segmentation accident (就把, 的人), not a term. */
const ZH_PARTICLE_EDGE = /^[的了着是在和与及或也都就而被把对从以之其于为这那个么]|[的了着是在和与及或也都就而被把对从以之其于为这那个么]$/u;
const ZH_FUNCTION = new Set('可以 需要 进行 能够 已经 没有 因为 所以 如果 但是 往往 或者 并且 以及 通过 成为 作为 就是 还是 可能 应该 必须 开始 出现 造成 变成 包括 持续 左右 始终 对准 使用 具有 主要 其中 之后 之前 以后 以前'.split(' '));

function topKeywords(text: string, ctx: TemplateContext, exclude: string[] = []): string[] {
  const skip = new Set(exclude.map((e) => e.toLowerCase()));
  const body = strip(text);
  const ranked = keywords(body, ctx.idf).filter((k) => !skip.has(k.text.toLowerCase()) && !ZH_COUNT.test(k.text) && !ZH_FUNCTION.has(k.text) && !ZH_PARTICLE_EDGE.test(k.text));
  const weightOf = (word: string) => Math.max(0, ...analyze(word).map(ctx.idf));
  const phrases = nounPhrases(body)
    .filter((p) => !p.split(' ').some((w) => skip.has(w.toLowerCase())))
    .map((p) => ({ text: p, weight: Math.max(...p.split(' ').map(weightOf)) }))
    .filter((p) => p.weight > 0)
    .sort((a, b) => b.weight - a.weight);
  const picked: string[] = [];
  for (const p of [...phrases, ...ranked]) {
    const lower = p.text.toLowerCase();
    if (picked.some((q) => q.toLowerCase().includes(lower) || lower.includes(q.toLowerCase()))) continue;
    picked.push(p.text);
    if (picked.length === 2) break;
  }
  return picked;
}

export function paraphrasedCandidate(chunk: GenerationChunk, ctx: TemplateContext): Candidate | undefined {
  const s = pickSentence(sourceSentences(chunk), ctx);
  if (!s) return undefined;
  const heading = chunk.headingPath.at(-1) ?? '';
  const words = topKeywords(s.text, ctx, heading.split(/\s+/));
  if (words.length === 0) return undefined;
  const topic = topicOf(chunk, s.language);
  const question =
    s.language === 'zh'
      ? `${topic}中关于${words.map((w) => `“${w}”`).join('和')}是怎么说的？`
      : `What does ${topic} say about ${words.map((w) => w.toLowerCase()).join(' and ')}?`;
  return { type: 'paraphrased', language: s.language, question, reference: s.text, sources: [chunk] };
}

/** Two related passages: one sentence of each, a question naming a rare word of each. */
export function multiChunkCandidate(a: GenerationChunk, b: GenerationChunk, ctx: TemplateContext): Candidate | undefined {
  const sa = pickSentence(sourceSentences(a), ctx);
  if (!sa) return undefined;
  const sb = pickSentence(
    sourceSentences(b).filter((s) => s.text !== sa.text && s.language === sa.language),
    ctx,
  );
  if (!sb) return undefined;
  const [wa] = topKeywords(sa.text, ctx);
  const [wb] = topKeywords(sb.text, ctx, wa ? [wa] : []);
  if (!wa || !wb) return undefined;
  // Named by the section both are in, else by the document, else generally.
  const sameSection = a.documentId === b.documentId && a.headingPath.join('\n') === b.headingPath.join('\n');
  const sameDocument = a.documentId === b.documentId && a.title;
  const zhTopic = sameSection ? topicOf(a, 'zh') : sameDocument ? `《${a.title}》` : '文档';
  const enTopic = sameSection ? topicOf(a, 'en') : sameDocument ? `"${a.title}"` : 'the documentation';
  const question =
    sa.language === 'zh'
      ? `关于“${wa}”和“${wb}”，${zhTopic}中分别是怎么说的？`
      : `What does ${enTopic} say about ${wa.toLowerCase()}, and what about ${wb.toLowerCase()}?`;
  const reference = sa.language === 'zh' ? `${sa.text}${sb.text}` : `${sa.text} ${sb.text}`;
  return { type: 'multi-chunk', language: sa.language, question, reference, sources: [a, b] };
}

/** Marks the sentences a candidate was made from as used. */
export function markUsed(c: Candidate, ctx: TemplateContext): void {
  for (const chunk of c.sources) for (const s of sourceSentences(chunk)) if (c.reference.includes(s.text)) ctx.used.add(s.text);
}
