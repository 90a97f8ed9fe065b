import { splitThinking } from '../../prompt/think-blocks.js';
import type { LanguageModel, Usage } from '../../spec/models.js';
import type { SearchMode, SearchOptions } from '../search.js';
import type { QueryFusionMethod } from './rag-fusion.js';
import { addUsage, searchVariants, type QueryVariant, type TransformedSearchResult } from './query-variants.js';

export interface HypotheticalPassageOptions {
  question: string;
  model: LanguageModel;
  /** Most tokens of the passage (default 160: a paragraph, about what an embedder reads of a chunk). */
  maxTokens?: number;
  signal?: AbortSignal;
}

const INSTRUCTION = [
  'Write a short passage, as it might appear in a document, that answers the question: one paragraph of',
  '2–4 sentences, in the same language as the question, using the terms such a document would use.',
  'If you do not know the facts, write a plausible passage anyway; it is used only to find real documents.',
  'Reply with the passage only: no heading, no preamble.',
].join(' ');

/**
 * HyDE (Gao et al., 2022), step one: the model writes a hypothetical answer passage. Its facts may be wrong;
 * what matters is that it reads like the passages that answer the question, so its vector lands near
 * theirs (a question and its answer are often far apart in embedding space). Free text rather than a JSON
 * object: there is nothing to structure, and small models write a paragraph more reliably than JSON.
 * An empty reply (or one that is only reasoning) gives an empty passage, which callers skip.
 */
export async function writeHypotheticalPassage(options: HypotheticalPassageOptions): Promise<{ passage: string; usage: Usage }> {
  const result = await options.model.generate({
    messages: [
      { role: 'system', content: INSTRUCTION },
      { role: 'user', content: `Question: ${options.question.trim()}` },
    ],
    temperature: 0.3,
    maxTokens: options.maxTokens ?? 160,
    signal: options.signal,
  });
  const passage = splitThinking(result.text)
    .rest.replace(/^(passage|answer|段落|答案)\s*[:：]\s*/i, '')
    .trim();
  return { passage, usage: result.usage ?? { inputTokens: 0, outputTokens: 0 } };
}

export interface HydeSearchOptions extends SearchOptions {
  model: LanguageModel;
  /**
   * How the passage is searched (default: as the question, i.e. the search's mode). In hybrid mode its words
   * drive the keyword side too (query2doc), which measured better on Cranfield than the vector side alone
   * (docs/benchmarks.md); `vector` is the paper's HyDE. An embedder that does not know the passage's language
   * steps aside either way (with `vector`, the passage is then searched by keywords, with a note).
   */
  passageMode?: SearchMode;
  /** Weight of the original question's ranking (default: the passage's weight). */
  originalWeight?: number;
  /** Weight of the passage's ranking (default 1). */
  passageWeight?: number;
  passageTokens?: number;
  candidates?: number;
  fusionMethod?: QueryFusionMethod;
  rrfK?: number;
}

/**
 * HyDE retrieval: the question searched as usual, the hypothetical passage searched too, the two rankings
 * fused (score fusion, 1:1). Keeping the question's own ranking guards against a passage that went astray:
 * a wrong guess costs rank, not recall.
 */
export async function hydeSearch(options: HydeSearchOptions): Promise<TransformedSearchResult & { passage: string }> {
  const { model, passageMode, originalWeight, passageWeight, passageTokens, ...search } = options;
  const { passage, usage } = await writeHypotheticalPassage({ question: search.query, model, maxTokens: passageTokens, signal: search.signal });
  const variants: QueryVariant[] = [{ text: search.query, kind: 'original', weight: originalWeight ?? passageWeight ?? 1 }];
  const notes: string[] = [];
  if (passage) variants.push({ text: passage, kind: 'hypothetical', weight: passageWeight ?? 1, mode: passageMode ?? search.mode ?? 'hybrid' });
  else notes.push(`${model.id} wrote no passage: the question is searched alone`);
  const result = await searchVariants({ ...search, variants });
  return { ...result, notes: [...notes, ...result.notes], usage: addUsage(usage), passage };
}
