import { z } from 'zod';
import { generateObject } from '../../prompt/generate-object.js';
import { isLoreError } from '../../spec/errors.js';
import type { LanguageModel, Usage } from '../../spec/models.js';
import { analyze } from '../../text/analyze.js';
import { detectScript } from '../../text/language.js';
import { normalizeText } from '../../text/normalize.js';
import type { SearchOptions } from '../search.js';
import { lenientList } from './lenient-list.js';
import type { QueryFusionMethod } from './rag-fusion.js';
import { addUsage, searchVariants, type QueryVariant, type TransformedSearchResult } from './query-variants.js';

/** Rephrasings asked for by default: three new wordings cost one short model call and triple the searches. */
export const DEFAULT_REPHRASINGS = 3;

export interface RephraseOptions {
  question: string;
  model: LanguageModel;
  /** Rephrasings wanted (default 3); the original is kept on top of these. */
  count?: number;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface Rephrasings {
  /** The original question first, then the distinct rephrasings kept, at most `count` of them. */
  queries: string[];
  /** What the model wrote that was left out, with why: duplicates, another language, empty. */
  dropped: Array<{ text: string; why: 'duplicate' | 'language' | 'empty' | 'surplus' }>;
  notes: string[];
  usage: Usage;
}

const REPLY = z.object({ queries: lenientList(z.string()) });

const INSTRUCTION = [
  'You help a search engine find documents that answer a question.',
  'Write {count} different search queries that ask for the same information as the question, each worded differently:',
  'use synonyms, the technical terms a document on the subject would use, spell out abbreviations, or name the',
  'thing more specifically. Write every query in the same language as the question (a Chinese question gets',
  'Chinese queries). Do not answer the question. Reply with JSON: {"queries": ["...", "..."]}.',
].join(' ');

/**
 * Multi-query expansion, step one: the model writes `count` rephrasings of the question. Each is kept only
 * if it adds something: duplicates of the question or of each other (compared after normalisation, and by
 * their analysed terms, since two wordings with the same terms give the same keyword search) are dropped,
 * and so are rephrasings in another script than the question (a model that answers a Chinese question in
 * English would send the keyword side after words the collection's Chinese passages do not contain).
 * A model that gives no usable reply leaves the question alone, with a note: expansion is an optional
 * improvement and must not fail a search.
 */
export async function rephraseQuestion(options: RephraseOptions): Promise<Rephrasings> {
  const question = options.question.trim();
  const count = Math.max(1, Math.floor(options.count ?? DEFAULT_REPHRASINGS));
  const notes: string[] = [];
  let written: Array<string | null> = [];
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  try {
    const result = await generateObject({
      model: options.model,
      schema: REPLY,
      name: 'search_queries',
      messages: [
        { role: 'system', content: INSTRUCTION.replace('{count}', String(count)) },
        { role: 'user', content: `Question: ${question}` },
      ],
      temperature: 0.3,
      maxTokens: options.maxTokens ?? 80 + 60 * count,
      signal: options.signal,
    });
    written = result.value.queries;
    usage = result.usage;
  } catch (error) {
    if (!isLoreError(error, 'PARSE_ERROR')) throw error;
    notes.push(`${options.model.id} wrote no usable rephrasings: the question is searched alone`);
  }

  const queries = [question];
  const dropped: Rephrasings['dropped'] = [];
  const seenText = new Set([textKey(question)]);
  const seenTerms = new Set([termsKey(question)]);
  const script = detectScript(question);
  for (const raw of written) {
    const text = (raw ?? '').trim();
    if (!text) {
      dropped.push({ text, why: 'empty' });
      continue;
    }
    if (!sameLanguage(script, question, text)) {
      dropped.push({ text, why: 'language' });
      continue;
    }
    const key = textKey(text);
    const terms = termsKey(text);
    if (seenText.has(key) || (terms !== '' && seenTerms.has(terms))) {
      dropped.push({ text, why: 'duplicate' });
      continue;
    }
    if (queries.length > count) {
      dropped.push({ text, why: 'surplus' });
      continue;
    }
    seenText.add(key);
    seenTerms.add(terms);
    queries.push(text);
  }
  const languageDrops = dropped.filter((d) => d.why === 'language').length;
  if (languageDrops > 0) notes.push(`${languageDrops} rephrasing(s) in another language than the question left out`);
  return { queries, dropped, notes, usage };
}

const SCRIPT_CHARS = {
  latin: /\p{Script=Latin}/u,
  zh: /\p{Script=Han}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  ko: /\p{Script=Hangul}/u,
} as const;

/**
 * Whether a rephrasing is in the question's language, leniently, because real questions mix scripts
 * ("iPhone X 的电池", "HTTP/2 的 Server Push 是什么"): kept when it has characters of the question's main
 * script, or when its own main script occurs in the question. An answer to a Chinese question written
 * wholly in English (or the reverse) is what this leaves out.
 */
function sameLanguage(script: ReturnType<typeof detectScript>, question: string, text: string): boolean {
  if (script === 'none') return true;
  if (SCRIPT_CHARS[script].test(text)) return true;
  const theirs = detectScript(text);
  return theirs === 'none' || SCRIPT_CHARS[theirs].test(question);
}

/** Case, width and punctuation do not make a different query. */
function textKey(text: string): string {
  return normalizeText(text).replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
}

/** The analysed terms as a set: what keyword search sees of the query. */
function termsKey(text: string): string {
  return [...new Set(analyze(text))].sort().join(' ');
}

export interface MultiQuerySearchOptions extends SearchOptions {
  model: LanguageModel;
  /** Rephrasings (default 3). */
  count?: number;
  /**
   * Weight of the original question's ranking in the fusion (default: the number of rephrasings kept, so
   * the question counts as much as all of them together). Measured on Cranfield with scripted rephrasings
   * and score fusion: three off-topic rephrasings took nDCG@10 from 0.425 to 0.17 at weight 1 and to 0.40
   * at weight 3, while a right one scored the same either way (docs/benchmarks.md).
   */
  originalWeight?: number;
  /** Weight of each rephrasing's ranking (default 1). */
  rephrasingWeight?: number;
  /** Hits taken from each search into the fusion (default max(k, 50)). */
  candidates?: number;
  fusionMethod?: QueryFusionMethod;
  rrfK?: number;
}

/**
 * Multi-query retrieval: the question and its rephrasings each searched as usual, the rankings fused with
 * the question weighing as much as all rephrasings together. Finds passages that use other words than the question for the same thing.
 */
export async function multiQuerySearch(options: MultiQuerySearchOptions): Promise<TransformedSearchResult> {
  const { model, count, originalWeight, rephrasingWeight, ...search } = options;
  const rephrased = await rephraseQuestion({ question: search.query, model, count, signal: search.signal });
  const added = rephrased.queries.length - 1;
  const variants: QueryVariant[] = rephrased.queries.map((text, i) =>
    i === 0 ? { text, kind: 'original', weight: originalWeight ?? Math.max(1, added) } : { text, kind: 'rephrasing', weight: rephrasingWeight ?? 1 },
  );
  const result = await searchVariants({ ...search, variants });
  return { ...result, notes: [...rephrased.notes, ...result.notes], usage: addUsage(rephrased.usage) };
}
