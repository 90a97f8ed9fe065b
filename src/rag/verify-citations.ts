import { dot } from '../models/embedders/cosine.js';
import type { EmbeddingModel, LanguageModel } from '../spec/models.js';
import type { SearchHit } from '../spec/store.js';
import { analyze } from '../text/analyze.js';
import { supportsText } from '../text/language.js';
import { normalizeText } from '../text/normalize.js';
import { HAN_RE } from '../text/scripts.js';
import type { Answer } from './answer.js';
import { splitAnswerSentences, type MarkedSentence } from './answer-sentences.js';
import { judgeClaims, type JudgeClaim, type JudgePassage, type JudgeResult } from './citation-judge.js';
import { findNumbers, unmatchedNumbers, type NumberMention } from './claim-numbers.js';
import { claimContent } from './claim-terms.js';
import { passageSentenceSpans } from './passage-sentences.js';
import type { FlagReason, SupportPassage, Verification, VerificationMethod, VerificationVerdict, VerifiedSentence } from './verification.js';

/**
 * A claim is supported by a passage covering at least this share of its IDF-weighted content terms (with
 * every number it states). Measured on CMRC 2018 and Cranfield with `bench/citations.ts`: see
 * docs/benchmarks.md, "Citation check".
 */
export const DEFAULT_SUPPORT_THRESHOLD = 0.6;
/** Share of the score the embedding similarity takes when an embedder represents the text. */
export const DEFAULT_EMBEDDING_WEIGHT = 0.5;
/**
 * The threshold for the mean of the lexical score and the embedding similarity. Higher than the lexical
 * one: a claim on the same topic as a passage is similar to it whether or not it says the same (a swapped
 * name barely moves the similarity), so the mean rises for supported and unsupported claims alike.
 */
export const DEFAULT_EMBEDDING_THRESHOLD = 0.8;
/**
 * Cosine similarities mapped to 0…1 for combining with the lexical score: below the first, unrelated;
 * above the second, as similar as a paraphrase gets. Measured with the bundled USE-lite model (unrelated
 * sentences of one manual 0.27–0.47, a claim and the sentence it paraphrases 0.72–0.83); other embedders
 * spread their cosines differently, so pass theirs.
 */
export const DEFAULT_EMBEDDING_RANGE: readonly [number, number] = [0.45, 0.8];

/** Credit for a claim term found not in the passage but in its chunk's title or headings ("the gearbox oil" under "## Gearbox"). */
const TOPIC_CREDIT = 0.7;
/** Credit for a claim term found only elsewhere in the passage's chunk (a name given a sentence earlier). */
const CONTEXT_CREDIT = 0.3;
/** Credit for a claim term that matches only by prefix (see `has`). */
const PREFIX_CREDIT = 0.8;
/** A passage lacking a number the claim states ranks below one that has it, whatever the words. */
const MISSING_NUMBER_FACTOR = 0.5;
/**
 * Two adjacent sentences always cover at least as much of a claim as either alone; the pair is reported
 * only when it covers clearly more, so that the span stays as tight as the support allows.
 */
const PAIR_FACTOR = 0.9;
/** Supporting passages reported per sentence. */
const MAX_SUPPORT = 3;
/** Candidate passages shown to the judge per sentence. */
const JUDGE_CANDIDATES = 4;

export interface VerifyAnswerOptions {
  /** The answer to check: its text with citation markers [n], and its citations. */
  answer: Answer;
  /**
   * The retrieved chunks the answer was made from, in the order it was given them (for a generative
   * answer, source n is `hits[n − 1]`, as `buildAnswerPrompt` numbers them). They are where support is
   * looked for, the cited ones first; without them only the answer's citations are searched (enough for
   * an extractive answer, whose citations are its quotes, but then a miscitation cannot be told from an
   * unsupported claim).
   */
  hits?: SearchHit[];
  /** Adds embedding similarity to the lexical check, for text in a language the embedder represents. */
  embedder?: EmbeddingModel;
  /** Cosine range of the embedder mapped to 0…1 (default `DEFAULT_EMBEDDING_RANGE`, measured for USE-lite). */
  embeddingRange?: readonly [number, number];
  /** Share of the score the embedding similarity takes (default 0.5). */
  embeddingWeight?: number;
  /**
   * A language model that judges every claim in one structured-output call, given the best candidate
   * passages of each. If the call fails or the reply is unusable, the lexical/embedding verdicts stand and
   * a note says so: the judge never makes `verifyAnswer` throw.
   */
  judge?: LanguageModel;
  /** Lexical score a passage needs to support a claim (default `DEFAULT_SUPPORT_THRESHOLD`). */
  threshold?: number;
  /**
   * With an embedder, a passage also supports a claim when the mean of its lexical score and embedding
   * similarity reaches this (default `DEFAULT_EMBEDDING_THRESHOLD`).
   */
  embeddingThreshold?: number;
  signal?: AbortSignal;
}

/** Analysed text to match claim terms against. */
interface Bag {
  terms: Set<string>;
  /** Normalised, white space removed: Chinese words are matched as substrings, whatever the segmentation. */
  compact: string;
  numbers: NumberMention[];
}

interface SourceChunk {
  chunkId: number;
  documentId: number;
  source: string;
  title: string | null;
  page: number | null;
  headingPath: string[];
  /** The chunk's text and where it starts in the document's text. */
  text: string;
  start: number;
  /** Markers of the answer that cite this chunk. */
  markers: number[];
  /** Its source number in a generative answer's prompt, when the answer does not cite it. */
  promptNumber: number | null;
  topic: Bag;
  whole: Bag;
  windows: Window[];
}

/** A sentence of a chunk, or two adjacent ones: where a claim's support is looked for. */
interface Window {
  chunk: SourceChunk;
  /** Offsets into the chunk's text. */
  start: number;
  end: number;
  text: string;
  bag: Bag;
  /** `documentId:start:end` in document offsets: the same passage from overlapping chunks counts once. */
  key: string;
  single: boolean;
  vector?: Float32Array;
}

interface Scored {
  window: Window;
  /**
   * Lexical coverage, or, where the embedding similarity lifts it over the embedding threshold, that
   * mean brought to the lexical scale (see `scoreWindow`); before the number penalty.
   */
  coverage: number;
  score: number;
  missing: NumberMention[];
}

interface Claim {
  marked: MarkedSentence;
  index: number;
  isClaim: boolean;
  terms: string[];
  weights: number[];
  numbers: NumberMention[];
  vector?: Float32Array;
}

/**
 * Checks that each sentence of an answer is supported by the retrieved passages, and by the ones it
 * cites. Without a language model: the sentence's content terms (analysed like the index: stemmed English,
 * segmented Chinese with bigrams, Chinese words also matched as substrings) are weighted by IDF over the
 * candidate sentences, and a passage — a sentence of a chunk, or two adjacent ones — supports the claim
 * when it covers enough of that weight and states every number the claim states; with an embedder that
 * represents the language, also when the mean of that coverage and the embedding similarity reaches its
 * own, higher threshold (numbers must still match). The cited chunks are searched first;
 * a claim only another chunk supports is reported as miscited. Sentences that claim nothing ("I hope this
 * helps") are left out of the count. With a judge model, one structured call decides instead.
 */
export async function verifyAnswer(options: VerifyAnswerOptions): Promise<Verification> {
  const { answer, signal } = options;
  const thresholds = { lexical: options.threshold ?? DEFAULT_SUPPORT_THRESHOLD, embedding: options.embeddingThreshold ?? DEFAULT_EMBEDDING_THRESHOLD };
  const notes: string[] = [];
  const chunks = sourceChunks(answer, options.hits ?? []);
  const claims = answerClaims(answer, chunks);

  if (options.embedder) {
    try {
      await embedAll({ embedder: options.embedder, claims, chunks, signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      notes.push(`The embedder ${options.embedder.id} failed (${messageOf(error)}): lexical check only.`);
    }
  }
  const range = options.embeddingRange ?? DEFAULT_EMBEDDING_RANGE;
  const weight = options.embeddingWeight ?? DEFAULT_EMBEDDING_WEIGHT;
  const embedding = { range, weight, offset: thresholds.embedding - thresholds.lexical };
  const scoredByClaim = claims.map((claim) => (claim.isClaim ? chunks.flatMap((c) => c.windows).map((w) => scoreWindow(claim, w, embedding)) : []));

  const sentences = claims.map((claim, i) => decide({ claim, scored: scoredByClaim[i]!, chunks, threshold: thresholds.lexical }));

  let judge: JudgeResult | undefined;
  const judged = claims.filter((c) => c.isClaim);
  if (options.judge && judged.length > 0) {
    const run = await runJudge({ judge: options.judge, claims: judged, scoredByClaim, signal, notes });
    if (run) {
      applyJudge({ run, claims: judged, sentences, scoredByClaim, notes });
      judge = run.result;
    }
  }
  for (const marker of unknownMarkers(claims, chunks)) notes.push(`[${marker}] cites no source given to the check.`);
  return summarize(sentences, notes, judge);
}

/** The chunks support is looked for in: the hits, and any cited chunk the hits lack (then only its quote). */
function sourceChunks(answer: Answer, hits: SearchHit[]): SourceChunk[] {
  const byChunk = new Map<number, SourceChunk>();
  // A generative answer numbers its sources by their position in the hits; trust that only if every
  // citation agrees with it.
  const numbered = answer.mode === 'generative' && answer.citations.every((c) => hits[c.n - 1]?.chunkId === c.chunkId);
  hits.forEach((hit, i) => {
    if (byChunk.has(hit.chunkId)) return;
    byChunk.set(hit.chunkId, makeChunk({ ...hit, markers: [], promptNumber: numbered ? i + 1 : null }));
  });
  // A citation whose chunk is not among the hits stands for itself: only its quote is known (an extractive
  // answer may quote two parts of one chunk, each its own citation).
  const byQuote = new Map<string, SourceChunk>();
  for (const c of answer.citations) {
    let chunk = byChunk.get(c.chunkId);
    if (!chunk) {
      const key = `${c.documentId}:${c.start}:${c.end}`;
      chunk = byQuote.get(key) ?? makeChunk({ ...c, text: c.quote, markers: [], promptNumber: null });
      byQuote.set(key, chunk);
    }
    if (!chunk.markers.includes(c.n)) chunk.markers.push(c.n);
  }
  return [...byChunk.values(), ...byQuote.values()];
}

function makeChunk(o: Omit<SourceChunk, 'topic' | 'whole' | 'windows'>): SourceChunk {
  const chunk: SourceChunk = { ...o, topic: bagOf([o.title ?? '', ...o.headingPath].join('\n')), whole: bagOf(o.text), windows: [] };
  const spans = passageSentenceSpans(o.text);
  const add = (start: number, end: number, single: boolean) => {
    const text = o.text.slice(start, end);
    chunk.windows.push({ chunk, start, end, text, bag: bagOf(text), key: `${o.documentId}:${o.start + start}:${o.start + end}`, single });
  };
  spans.forEach((span, i) => {
    add(span.start, span.end, true);
    // Two adjacent sentences: a claim may join what the passage says in two.
    const next = spans[i + 1];
    if (next) add(span.start, next.end, false);
  });
  return chunk;
}

function bagOf(text: string): Bag {
  return { terms: new Set(analyze(text)), compact: normalizeText(text).replace(/\s+/g, ''), numbers: findNumbers(text) };
}

/**
 * How much of a claim term a bag has: 1 for the analysed term, or for a Chinese word as a substring
 * (whatever the segmentation); `PREFIX_CREDIT` for a Latin-script term that is a prefix of one of the
 * bag's or has one as a prefix, at least 4 letters shared — what the stemmer leaves apart: "monthly" and
 * "month", "rotor's" and "rotor", "unevenly" and "uneven".
 */
function has(bag: Bag, term: string): number {
  if (bag.terms.has(term)) return 1;
  if (HAN_RE.test(term)) return bag.compact.includes(term) ? 1 : 0;
  if (term.length < 4) return 0;
  for (const t of bag.terms) {
    if (t.length >= 4 && (t.startsWith(term) || term.startsWith(t))) return PREFIX_CREDIT;
  }
  return 0;
}

/**
 * The answer's sentences with their content terms, weighted by IDF over the distinct candidate sentences:
 * a term most passages contain ("turbine" in a turbine manual) says little about which one supports a
 * claim; a term none contains is what makes the claim unsupported.
 */
function answerClaims(answer: Answer, chunks: SourceChunk[]): Claim[] {
  const units = new Map<string, Bag>();
  for (const c of chunks) for (const w of c.windows) if (w.single) units.set(w.key, w.bag);
  const bags = [...units.values()];
  const n = bags.length;
  const idf = new Map<string, number>();
  const weightOf = (term: string) => {
    let w = idf.get(term);
    if (w === undefined) {
      const df = bags.filter((b) => has(b, term) > 0).length;
      w = Math.log(1 + (n + 1) / (df + 0.5));
      idf.set(term, w);
    }
    return w;
  };
  return splitAnswerSentences({ text: answer.text, sentences: answer.mode === 'extractive' ? answer.sentences : undefined }).map((marked, index) => {
    const content = claimContent({ sentence: marked.text });
    return { marked, index, isClaim: content.isClaim, terms: content.terms, weights: content.terms.map(weightOf), numbers: content.numbers };
  });
}

/** Embeds the claims and the passages in a language the embedder represents, each distinct text once. */
async function embedAll(o: { embedder: EmbeddingModel; claims: Claim[]; chunks: SourceChunk[]; signal?: AbortSignal }): Promise<void> {
  const texts = new Map<string, Float32Array | undefined>();
  const fits = (text: string) => supportsText(o.embedder.languages, text);
  const claims = o.claims.filter((c) => c.isClaim && fits(c.marked.text));
  if (claims.length === 0) return;
  const windows = o.chunks.flatMap((c) => c.windows).filter((w) => fits(w.text));
  for (const t of [...claims.map((c) => c.marked.text), ...windows.map((w) => w.text)]) texts.set(t, undefined);
  const list = [...texts.keys()];
  const vectors = await o.embedder.embed(list, { signal: o.signal });
  list.forEach((t, i) => texts.set(t, vectors[i]));
  for (const c of claims) c.vector = texts.get(c.marked.text);
  for (const w of windows) w.vector = texts.get(w.text);
}

/**
 * How well a passage covers a claim. With an embedding of both, the mean of the lexical score and the
 * similarity is a second way to support the claim, against its own, higher threshold: it is brought to
 * the lexical scale by the difference of the thresholds, and the better of the two counts. So the
 * embedding can rescue a paraphrase the words miss, but never sinks a claim the words support (a quote of
 * a piece of a long sentence is less similar to the whole sentence than its words say).
 */
function scoreWindow(claim: Claim, window: Window, embedding: { range: readonly [number, number]; weight: number; offset: number }): Scored {
  const { chunk } = window;
  let total = 0;
  let got = 0;
  claim.terms.forEach((term, i) => {
    const w = claim.weights[i]!;
    total += w;
    got += w * Math.max(has(window.bag, term), TOPIC_CREDIT * has(chunk.topic, term), CONTEXT_CREDIT * has(chunk.whole, term));
  });
  let coverage = total > 0 ? got / total : 1;
  if (claim.vector && window.vector) {
    const { range, weight, offset } = embedding;
    const similarity = Math.min(1, Math.max(0, (dot(claim.vector, window.vector) - range[0]) / (range[1] - range[0])));
    const mean = (1 - weight) * coverage + weight * similarity - offset;
    coverage = Math.max(coverage, mean);
  }
  const missing = unmatchedNumbers({ claim: claim.numbers, passage: [...window.bag.numbers, ...chunk.topic.numbers] });
  // Two sentences cover more than one: the pair must do better to be preferred.
  const pairCost = window.single ? 1 : PAIR_FACTOR;
  return { window, coverage, score: coverage * pairCost * (missing.length > 0 ? MISSING_NUMBER_FACTOR : 1), missing };
}

const better = (a: Scored, b: Scored) => b.score - a.score || a.window.text.length - b.window.text.length;

/** The best passage of each chunk, best first, one per distinct passage. */
function bestPerChunk(scored: Scored[], keep: (s: Scored) => boolean): Scored[] {
  const best = new Map<SourceChunk, Scored>();
  for (const s of scored) {
    if (!keep(s)) continue;
    const current = best.get(s.window.chunk);
    if (!current || better(s, current) < 0) best.set(s.window.chunk, s);
  }
  const seen = new Set<string>();
  return [...best.values()].sort(better).filter((s) => !seen.has(s.window.key) && seen.add(s.window.key));
}

function decide(o: { claim: Claim; scored: Scored[]; chunks: SourceChunk[]; threshold: number }): VerifiedSentence {
  const { claim, scored } = o;
  const threshold = o.threshold;
  const cited = claim.marked.cited;
  const base = { index: claim.index, sentence: claim.marked.text, start: claim.marked.start, end: claim.marked.end, cited };
  if (!claim.isClaim) {
    return { ...base, verdict: 'no-claim', supported: false, method: 'lexical', support: [], miscited: false, uncited: false };
  }
  const isCited = (s: Scored) => s.window.chunk.markers.some((m) => cited.includes(m));
  const supports = (s: Scored) => s.missing.length === 0 && s.score >= threshold;
  // The cited chunks first; then every other chunk, which tells a miscitation from an invention.
  const citedSupport = bestPerChunk(scored, (s) => isCited(s) && supports(s));
  const otherSupport = bestPerChunk(scored, (s) => !isCited(s) && supports(s)).filter((s) => !citedSupport.some((c) => c.window.key === s.window.key));
  const support = [...citedSupport, ...otherSupport].slice(0, MAX_SUPPORT);
  // The embedding check took part where the embedder represents the claim's language.
  const method: VerificationMethod = claim.vector ? 'embedding' : 'lexical';
  const passage = (s: Scored) => toPassage(s, cited);
  const unmarked = cited.filter((n) => !o.chunks.some((c) => c.markers.includes(n)));
  const note = unmarked.length > 0 ? { note: `cites ${unmarked.map((n) => `[${n}]`).join('')}, which is not among the sources` } : {};
  if (support.length > 0) {
    return {
      ...base,
      verdict: 'supported',
      supported: true,
      method,
      support: support.map(passage),
      miscited: cited.length > 0 && citedSupport.length === 0,
      uncited: cited.length === 0,
      ...note,
    };
  }
  // Nearly the same words but another number: the passage contradicts the claim.
  const conflicting = (s: Scored) => s.missing.length > 0 && s.coverage >= threshold && s.window.bag.numbers.length > 0;
  const contradiction = bestOf(scored, (s) => isCited(s) && conflicting(s)) ?? bestOf(scored, conflicting);
  const closest = contradiction ?? bestOf(scored, isCited) ?? bestOf(scored, () => true);
  return {
    ...base,
    verdict: contradiction ? 'contradicted' : 'unsupported',
    supported: false,
    method,
    support: [],
    ...(closest ? { closest: passage(closest) } : {}),
    miscited: false,
    uncited: cited.length === 0,
    ...(closest && closest.missing.length > 0 ? { missingNumbers: closest.missing.map((m) => m.text) } : {}),
    ...note,
  };
}

function bestOf(scored: Scored[], keep: (s: Scored) => boolean): Scored | undefined {
  let best: Scored | undefined;
  for (const s of scored) if (keep(s) && (!best || better(s, best) < 0)) best = s;
  return best;
}

function toPassage(s: Scored, cited: number[]): SupportPassage {
  const { chunk } = s.window;
  const n = chunk.markers.find((m) => cited.includes(m)) ?? chunk.markers[0] ?? chunk.promptNumber;
  return {
    n,
    source: chunk.source,
    title: chunk.title,
    page: chunk.page,
    headingPath: chunk.headingPath,
    chunkId: chunk.chunkId,
    documentId: chunk.documentId,
    quote: s.window.text,
    quoteStart: chunk.start + s.window.start,
    quoteEnd: chunk.start + s.window.end,
    score: Math.round(s.score * 1000) / 1000,
  };
}

interface JudgeRun {
  result: JudgeResult;
  /** The passage each id the judge was shown stands for. */
  windows: Map<number, Window>;
  /** The passages each claim was shown, best first. */
  candidates: Map<number, Scored[]>;
}

/**
 * Asks the judge about every claim, showing each its best passages (the cited chunks' first). Returns
 * undefined, with a note, when the judge fails: the lexical verdicts then stand.
 */
async function runJudge(o: { judge: LanguageModel; claims: Claim[]; scoredByClaim: Scored[][]; signal?: AbortSignal; notes: string[] }): Promise<JudgeRun | undefined> {
  const passages = new Map<string, JudgePassage>();
  const windows = new Map<number, Window>();
  const candidates = new Map<number, Scored[]>();
  const claims: JudgeClaim[] = o.claims.map((claim) => {
    const scored = o.scoredByClaim[claim.index]!;
    const isCited = (s: Scored) => s.window.chunk.markers.some((m) => claim.marked.cited.includes(m));
    const fromCited = bestPerChunk(scored, isCited).slice(0, 2);
    const others = bestPerChunk(scored, (s) => !isCited(s)).filter((s) => !fromCited.some((c) => c.window.key === s.window.key));
    const chosen = [...fromCited, ...others].slice(0, JUDGE_CANDIDATES);
    candidates.set(claim.index, chosen);
    const ids = chosen.map((s) => {
      let p = passages.get(s.window.key);
      if (!p) {
        const c = s.window.chunk;
        const n = c.markers[0] ?? c.promptNumber;
        const label = `${n !== null ? `[${n}] ` : ''}${c.title ?? c.source}${c.headingPath.length ? ` › ${c.headingPath.join(' › ')}` : ''}`;
        p = { id: passages.size + 1, label, text: s.window.text };
        passages.set(s.window.key, p);
        windows.set(p.id, s.window);
      }
      return p.id;
    });
    // Ids from 1, as people and models count.
    return { id: claim.index + 1, text: claim.marked.text, passages: ids };
  });
  try {
    const result = await judgeClaims({ model: o.judge, claims, passages: [...passages.values()], signal: o.signal });
    return { result, windows, candidates };
  } catch (error) {
    if (o.signal?.aborted) throw error;
    o.notes.push(`The judge ${o.judge.id} failed (${messageOf(error)}): lexical verdicts used instead.`);
    return undefined;
  }
}

/** Replaces the lexical verdicts by the judge's, where it gave one; says which claims it left out. */
function applyJudge(o: { run: JudgeRun; claims: Claim[]; sentences: VerifiedSentence[]; scoredByClaim: Scored[][]; notes: string[] }): void {
  const left: number[] = [];
  for (const claim of o.claims) {
    const judged = o.run.result.verdicts.get(claim.index + 1);
    if (!judged) {
      left.push(claim.index + 1);
      continue;
    }
    const cited = claim.marked.cited;
    const window = judged.passage === null ? undefined : o.run.windows.get(judged.passage);
    const named = window ? o.scoredByClaim[claim.index]!.find((s) => s.window === window) : undefined;
    const chosen = named ?? o.run.candidates.get(claim.index)?.[0];
    const previous = o.sentences[claim.index]!;
    const supported = judged.verdict === 'supported';
    const citesChosen = chosen ? chosen.window.chunk.markers.some((m) => cited.includes(m)) : false;
    const { closest: _c, missingNumbers: _m, ...rest } = previous;
    o.sentences[claim.index] = {
      ...rest,
      verdict: judged.verdict,
      supported,
      method: 'judge',
      support: supported && chosen ? [toPassage(chosen, cited)] : [],
      ...(!supported && chosen ? { closest: toPassage(chosen, cited) } : {}),
      miscited: supported && cited.length > 0 && chosen !== undefined && !citesChosen,
      uncited: cited.length === 0,
    };
  }
  if (left.length > 0) o.notes.push(`The judge gave no verdict for sentence${left.length > 1 ? 's' : ''} ${left.join(', ')}: lexical verdicts used for ${left.length > 1 ? 'them' : 'it'}.`);
}

/** Markers that cite no chunk the check was given. */
function unknownMarkers(claims: Claim[], chunks: SourceChunk[]): number[] {
  const known = new Set(chunks.flatMap((c) => c.markers));
  return [...new Set(claims.flatMap((c) => c.marked.cited))].filter((n) => !known.has(n));
}

function summarize(sentences: VerifiedSentence[], notes: string[], judge: JudgeResult | undefined): Verification {
  const claims = sentences.filter((s) => s.verdict !== 'no-claim');
  const supported = claims.filter((s) => s.supported).length;
  const flagged: Verification['flagged'] = [];
  for (const s of sentences) {
    let reason: FlagReason | undefined;
    if (s.verdict === 'unsupported' || s.verdict === 'contradicted') reason = s.verdict;
    else if (s.miscited) reason = 'miscited';
    else if (s.uncited && s.verdict === 'supported') reason = 'uncited';
    if (reason) flagged.push({ index: s.index, sentence: s.sentence, reason });
  }
  const methods = new Set(sentences.map((s) => s.method));
  const method: VerificationMethod = methods.has('judge') ? 'judge' : methods.has('embedding') ? 'embedding' : 'lexical';
  return {
    sentences,
    claims: claims.length,
    supported,
    supportRate: claims.length > 0 ? supported / claims.length : 1,
    flagged,
    method,
    ...(judge && methods.has('judge') ? { judge: { model: judge.model, ...(judge.usage ? { usage: judge.usage } : {}) } } : {}),
    notes,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
