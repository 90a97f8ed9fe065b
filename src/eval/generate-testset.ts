import type { LanguageModel } from '../spec/models.js';
import { analyze } from '../text/analyze.js';
import { LoreError } from '../spec/errors.js';
import { generationLanguage, QUESTION_TYPES, seededRandom, shuffle, type Candidate, type GenerationChunk, type GenerationLanguage, type QuestionType } from './generate/candidate.js';
import { modelCandidate } from './generate/model-questions.js';
import { termIdf } from './generate/passage-sentences.js';
import { DuplicateFilter, rejectReason } from './generate/quality.js';
import { factualCandidate, markUsed, multiChunkCandidate, paraphrasedCandidate, type TemplateContext } from './generate/template-questions.js';
import type { TestItem } from './rag/test-set.js';

export { QUESTION_TYPES, type QuestionType, type GenerationChunk } from './generate/candidate.js';

export interface GenerateTestSetOptions {
  chunks: readonly GenerationChunk[];
  /** Questions wanted (default 50). */
  n?: number;
  /** Writes the questions; without one, the offline template generator does. */
  model?: LanguageModel;
  /** Question types to mix (default all three: half factual, a quarter each of the others). */
  types?: readonly QuestionType[];
  /** Seeds the choice of passages and templates (default 1). */
  seed?: number;
  /** Prefix of item ids (default `gen-`). */
  idPrefix?: string;
  onProgress?: (accepted: number, wanted: number) => void;
  signal?: AbortSignal;
}

export interface GeneratedTestSet {
  items: TestItem[];
  generator: 'template' | string;
  byType: Record<QuestionType, number>;
  byLanguage: Partial<Record<GenerationLanguage, number>>;
  /** Candidates dropped by the quality filter, by reason. */
  rejected: Record<string, number>;
  duplicates: number;
  /** Model calls that gave no usable question. */
  failures: number;
  notes: string[];
}

const SHARES: Record<QuestionType, number> = { factual: 0.5, paraphrased: 0.25, 'multi-chunk': 0.25 };

/** How many of each type: the shares of the chosen types, rounded so that they add up to n. */
function quotas(n: number, types: readonly QuestionType[]): Record<QuestionType, number> {
  const total = types.reduce((s, t) => s + SHARES[t], 0);
  const out = { factual: 0, paraphrased: 0, 'multi-chunk': 0 } as Record<QuestionType, number>;
  let given = 0;
  for (const t of types) {
    out[t] = Math.floor((n * SHARES[t]) / total);
    given += out[t];
  }
  for (let i = 0; given < n; i = (i + 1) % types.length, given++) out[types[i]!]++;
  return out;
}

const isRecord = (c: GenerationChunk) => c.metadata !== undefined && ('record' in c.metadata || 'row' in c.metadata);

/** Chunks compared with each one when looking for a related passage (large collections are sampled). */
const PARTNER_SCAN = 400;
/** Rare terms kept per chunk to judge relatedness. */
const TOPIC_TERMS = 12;

/**
 * Finds a passage related to each chunk for multi-chunk questions: the next or previous chunk of the same
 * document, or any chunk sharing at least two of its rarest terms. Rows and records (a CSV, a JSONL corpus)
 * are neighbours in one document without being related: for them only the shared terms count.
 */
function partnerFinder(chunks: readonly GenerationChunk[], idf: (term: string) => number, random: () => number): (chunk: GenerationChunk) => GenerationChunk | undefined {
  const topics = new Map<GenerationChunk, Set<string>>();
  const topicOf = (c: GenerationChunk) => {
    let t = topics.get(c);
    if (!t) {
      t = new Set([...new Set(analyze(c.text))].filter((x) => x.length > 1).sort((a, b) => idf(b) - idf(a)).slice(0, TOPIC_TERMS));
      topics.set(c, t);
    }
    return t;
  };
  const sample = chunks.length > PARTNER_SCAN ? shuffle(chunks, random).slice(0, PARTNER_SCAN) : chunks;
  return (chunk) => {
    const mine = topicOf(chunk);
    const language = generationLanguage(chunk.text);
    let best: GenerationChunk | undefined;
    let bestScore = 1;
    const consider = (other: GenerationChunk) => {
      if (other === chunk || generationLanguage(other.text) !== language) return;
      const neighbour = other.documentId === chunk.documentId && Math.abs(other.ordinal - chunk.ordinal) === 1 && !isRecord(chunk) && !isRecord(other);
      let score = neighbour ? 2 : 0;
      for (const t of topicOf(other)) if (mine.has(t)) score++;
      if (score > bestScore) {
        best = other;
        bestScore = score;
      }
    };
    for (const other of chunks) if (other.documentId === chunk.documentId && Math.abs(other.ordinal - chunk.ordinal) === 1) consider(other);
    for (const other of sample) consider(other);
    return best;
  };
}

/**
 * Builds a test set of question / reference answer / source passages from a collection's chunks: varied
 * question types, in each passage's language (Chinese passages give Chinese questions), near-duplicate
 * questions dropped, and every candidate through a quality filter (answerable from its sources, neither
 * trivially short nor long). With a model the model writes them (structured output); without one a
 * deterministic template generator makes them offline.
 */
export async function generateTestSet(o: GenerateTestSetOptions): Promise<GeneratedTestSet> {
  const n = o.n ?? 50;
  if (!Number.isInteger(n) || n < 1) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `-n must be a whole number of at least 1, not ${n}` });
  const types = o.types?.length ? [...new Set(o.types)] : [...QUESTION_TYPES];
  const chunks = o.chunks.filter((c) => generationLanguage(c.text) !== undefined);
  if (chunks.length === 0) throw new LoreError({ code: 'NOT_FOUND', message: 'No English or Chinese text to make questions from', hint: 'ingest documents into the collection first' });
  const random = seededRandom(o.seed ?? 1);
  const ctx: TemplateContext = { idf: termIdf(chunks), random, used: new Set() };
  const partnerOf = partnerFinder(chunks, ctx.idf, random);

  const wanted = quotas(n, types);
  const got = { factual: 0, paraphrased: 0, 'multi-chunk': 0 } as Record<QuestionType, number>;
  const accepted: Candidate[] = [];
  const rejected: Record<string, number> = {};
  const duplicates = new DuplicateFilter();
  let failures = 0;
  const usedChunks = new Map<number, number>();

  const make = async (type: QuestionType, chunk: GenerationChunk): Promise<Candidate | undefined> => {
    const partner = type === 'multi-chunk' ? partnerOf(chunk) : undefined;
    if (type === 'multi-chunk' && !partner) return undefined;
    if (o.model) {
      const language = generationLanguage(chunk.text)!;
      if (partner && generationLanguage(partner.text) !== language) return undefined;
      const reply = await modelCandidate({ model: o.model, type, language, sources: partner ? [chunk, partner] : [chunk], signal: o.signal });
      if (!reply.ok) {
        failures++;
        return undefined;
      }
      return reply.candidate;
    }
    if (type === 'factual') return factualCandidate(chunk, ctx);
    if (type === 'paraphrased') return paraphrasedCandidate(chunk, ctx);
    return multiChunkCandidate(chunk, partner!, ctx);
  };

  // Passes over the shuffled chunks: each visit asks for the type furthest from its quota, falling back to
  // the others. Later passes reuse chunks (other sentences), until n are accepted or nothing new comes.
  const maxAttempts = o.model ? n * 3 : Number.POSITIVE_INFINITY;
  let attempts = 0;
  for (let pass = 0; pass < 3 && accepted.length < n && attempts < maxAttempts; pass++) {
    for (const chunk of shuffle(chunks, random)) {
      if (accepted.length >= n || attempts >= maxAttempts) break;
      // With a model, a chunk is asked about once per pass at most, and reused only after every chunk was.
      if (o.model && (usedChunks.get(chunk.chunkId) ?? 0) > pass) continue;
      const order = [...types].filter((t) => got[t] < wanted[t]).sort((a, b) => got[a] / Math.max(1, wanted[a]) - got[b] / Math.max(1, wanted[b]));
      const fallback = order.length ? order : types;
      for (const type of fallback) {
        if (o.model && attempts >= maxAttempts) break;
        attempts++;
        const candidate = await make(type, chunk);
        if (!candidate) continue;
        usedChunks.set(chunk.chunkId, (usedChunks.get(chunk.chunkId) ?? 0) + 1);
        const reason = rejectReason(candidate);
        if (reason) {
          const key = reason.replace(/\d+%?/g, 'N');
          rejected[key] = (rejected[key] ?? 0) + 1;
          if (!o.model) markUsed(candidate, ctx);
          continue;
        }
        if (!o.model) markUsed(candidate, ctx);
        if (!duplicates.accept(candidate.question)) continue;
        accepted.push(candidate);
        got[candidate.type]++;
        o.onProgress?.(accepted.length, n);
        break;
      }
    }
  }

  const generator = o.model ? o.model.id : 'template';
  const prefix = o.idPrefix ?? 'gen-';
  const width = String(accepted.length).length;
  const items: TestItem[] = accepted.map((c, i) => ({
    id: `${prefix}${String(i + 1).padStart(Math.max(3, width), '0')}`,
    question: c.question,
    reference: c.reference,
    contexts: c.sources.map((s) => ({ chunkId: s.chunkId, source: s.source, text: s.text })),
    extra: { type: c.type, language: c.language, generator },
  }));
  const byLanguage: Partial<Record<GenerationLanguage, number>> = {};
  for (const c of accepted) byLanguage[c.language] = (byLanguage[c.language] ?? 0) + 1;
  const notes: string[] = [];
  if (!o.model) notes.push('Offline template generator (no model): cloze, "what is…" and key-term questions built from the documents\' own sentences, reference answers quoted from them. Give --model SPEC for questions a model writes.');
  if (accepted.length < n) notes.push(`Only ${accepted.length} of ${n} questions passed the quality filter and de-duplication: the collection has too little suitable text${o.model ? ' or the model failed too often' : ''}.`);
  if (failures > 0) notes.push(`${failures} model call${failures === 1 ? '' : 's'} gave no usable question.`);
  return { items, generator, byType: got, byLanguage, rejected, duplicates: duplicates.dropped, failures, notes };
}
