/**
 * Citation check benchmark: how well does `verifyAnswer()` (no language model) tell sentences the retrieved
 * passages support from sentences they do not? On CMRC 2018 (trial, Chinese) and Cranfield (English), each
 * question is answered the way `lore ask` answers without a model (`search()` top 8, `answerExtractively()`),
 * which gives sentences the sources support by construction (they are quotes); corrupted copies of one
 * sentence per answer give sentences they do not: a number changed, or a word swapped for a word of another
 * document. A third variant moves the markers so that each quote cites another chunk (miscitation).
 * Writes the "Citation check" section of docs/benchmarks.md. Run: `npx tsx bench/citations.ts`
 * (`--no-write` to only print, `--embedder` to add the bundled USE-lite embedder on part of Cranfield).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBeirDataset } from '../src/eval/beir.js';
import { ingest } from '../src/ingest/ingest.js';
import { createUseLiteEmbedder } from '../src/models/embedders/use-lite-embedder.js';
import type { Answer, AnswerSentence } from '../src/rag/answer.js';
import { findNumbers } from '../src/rag/claim-numbers.js';
import { answerExtractively, DEFAULT_ANSWER_CHUNKS } from '../src/rag/extractive-answer.js';
import { DEFAULT_EMBEDDING_THRESHOLD, DEFAULT_EMBEDDING_WEIGHT, DEFAULT_SUPPORT_THRESHOLD, verifyAnswer } from '../src/rag/verify-citations.js';
import type { Verification } from '../src/rag/verification.js';
import { search } from '../src/retrieve/search.js';
import type { EmbeddingModel } from '../src/spec/models.js';
import type { SearchHit } from '../src/spec/store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { segmentWords } from '../src/text/segment-words.js';
import { isStopWord } from '../src/text/stopwords.js';
import { normalizeText } from '../src/text/normalize.js';
import { CHINESE_CLAIMS, ENGLISH_CLAIMS, type ExampleClaim } from './citation-claims.js';
import { writeBenchmarkSection } from './report.js';
import { asAsyncStore } from '../src/store/contract/async-store.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');
const WRITE = !process.argv.includes('--no-write');
const WITH_EMBEDDER = process.argv.includes('--embedder');
/** Questions per set: enough for stable shares, few enough to run in about a minute on two cores. */
const MAX_QUESTIONS = 500;
const EMBEDDER_QUESTIONS = 40;
const THRESHOLDS = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/**
 * Scores are checked at threshold 0 and compared with each threshold afterwards; with an embedder, the
 * embedding threshold keeps its default distance above the lexical one.
 */
const EMBEDDING_OFFSET = DEFAULT_EMBEDDING_THRESHOLD - DEFAULT_SUPPORT_THRESHOLD;

interface Case {
  question: string;
  hits: SearchHit[];
  answer: Answer;
}

/** A sentence to check and whether the sources support it. */
interface Probe {
  kind: 'supported' | 'number' | 'word' | 'invention';
  /** The score `verifyAnswer` found for it (its best passage with all its numbers), 0 when none. */
  score: number;
  flaggedAtDefault: boolean;
}

/** Deterministic choices, so that runs compare. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const CHINESE_DIGIT_SWAP: Record<string, string> = { 零: '三', 〇: '三', 一: '三', 二: '五', 两: '三', 三: '七', 四: '六', 五: '八', 六: '九', 七: '二', 八: '四', 九: '一' };

/** The sentence with its first number changed: 18 → 19, 1998 → 1999, 十八 → 十四, 十 → 二十. */
function changeNumber(sentence: string): string | undefined {
  const m = findNumbers(sentence)[0];
  if (!m) return undefined;
  const at = normalizeText(sentence).indexOf(m.text);
  if (at < 0 || normalizeText(sentence).length !== sentence.length) return undefined;
  let changed: string;
  if (/\d/.test(m.text)) {
    changed = m.text.replace(/(\d)(?!.*\d)/, (d) => String((Number(d) + 1) % 10));
  } else if (/[零〇一二两三四五六七八九]/.test(m.text)) {
    changed = m.text.replace(/[零〇一二两三四五六七八九]/, (c) => CHINESE_DIGIT_SWAP[c]!);
  } else if (/[十百千万亿]/.test(m.text)) {
    changed = `二${m.text}`;
  } else {
    return undefined;
  }
  return sentence.slice(0, at) + changed + sentence.slice(at + m.text.length);
}

/** Content words of a text (no stop words, no numbers), longest first: the most specific ones. */
function contentWords(text: string, minLength: number): string[] {
  const words = segmentWords(text)
    .map((w) => w.text)
    .filter((w) => w.length >= minLength && !isStopWord(w.toLowerCase()) && !/\d|[零〇一二两三四五六七八九十百千万亿]/.test(w));
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

/** The sentence with its most specific word replaced by one from another document that no retrieved chunk contains. */
function swapWord(sentence: string, hits: SearchHit[], donors: string[], next: () => number, minLength: number): string | undefined {
  const target = contentWords(sentence, minLength)[0];
  if (!target) return undefined;
  const retrieved = normalizeText(hits.map((h) => h.text).join('\n'));
  for (let tries = 0; tries < 20; tries++) {
    const donor = donors[Math.floor(next() * donors.length)]!;
    const candidates = contentWords(donor, minLength).filter((w) => !retrieved.includes(normalizeText(w)) && Math.abs(w.length - target.length) <= 2);
    const word = candidates[Math.floor(next() * candidates.length)];
    if (word) return sentence.replace(target, word);
  }
  return undefined;
}

/** The answer with one of its sentences rewritten (text and `sentences` alike, as an extractive answer has them). */
function withSentence(answer: Answer, index: number, text: string): Answer {
  const sentences: AnswerSentence[] = answer.sentences!.map((s, i) => (i === index ? { ...s, text } : s));
  const old = answer.sentences![index]!.text;
  const at = answer.text.indexOf(old);
  return { ...answer, text: answer.text.slice(0, at) + text + answer.text.slice(at + old.length), sentences };
}

/** The score that decides the sentence at any threshold: its best passage that has all its numbers. */
function supportScore(v: Verification, index: number): number {
  const s = v.sentences[index];
  if (!s || s.verdict === 'no-claim') return Number.NaN;
  return Math.max(0, ...s.support.map((p) => p.score));
}

async function probe(cases: Case[], options: { minWordLength: number; embedder?: EmbeddingModel; seed: number }) {
  const next = random(options.seed);
  const donors = cases.flatMap((c) => c.answer.sentences!.map((s) => s.text));
  const probes: Probe[] = [];
  let noClaim = 0;
  let miscitedMoved = 0;
  let miscitedFound = 0;
  let miscitedOriginal = 0;
  let originalClaims = 0;
  const started = performance.now();
  let verifications = 0;
  const verify = async (answer: Answer, hits: SearchHit[], threshold: number) => {
    verifications++;
    return verifyAnswer({ answer, hits, threshold, embeddingThreshold: threshold === 0 ? EMBEDDING_OFFSET : undefined, embedder: options.embedder });
  };
  for (const c of cases) {
    const sentences = c.answer.sentences!;
    // Threshold 0: every passage with the claim's numbers "supports" it, so its best score is reported.
    const all = await verify(c.answer, c.hits, 0);
    const atDefault = await verify(c.answer, c.hits, DEFAULT_SUPPORT_THRESHOLD);
    sentences.forEach((_, i) => {
      const score = supportScore(all, i);
      if (Number.isNaN(score)) {
        noClaim++;
        return;
      }
      originalClaims++;
      if (atDefault.sentences[i]!.miscited) miscitedOriginal++;
      probes.push({ kind: 'supported', score, flaggedAtDefault: !atDefault.sentences[i]!.supported });
    });

    const corrupt = async (kind: Probe['kind'], make: (s: string) => string | undefined) => {
      for (const [index, sentence] of sentences.entries()) {
        const text = make(sentence.text);
        if (text === undefined || text === sentence.text) continue;
        const v = await verify(withSentence(c.answer, index, text), c.hits, 0);
        const score = supportScore(v, index);
        if (!Number.isNaN(score)) probes.push({ kind, score, flaggedAtDefault: score < DEFAULT_SUPPORT_THRESHOLD });
        return;
      }
    };
    await corrupt('number', changeNumber);
    await corrupt('word', (s) => swapWord(s, c.hits, donors, next, options.minWordLength));

    // Miscitation: every marker moved to the next citation, when the citations quote different chunks.
    const chunks = new Set(c.answer.citations.map((x) => x.chunkId));
    if (chunks.size >= 2) {
      const count = c.answer.citations.length;
      const move = (n: number) => (n % count) + 1;
      const moved: Answer = {
        ...c.answer,
        text: c.answer.text.replace(/\[(\d+)\]/g, (_, d: string) => `[${move(Number(d))}]`),
        sentences: sentences.map((s) => ({ ...s, citation: move(s.citation) })),
      };
      const v = await verify(moved, c.hits, DEFAULT_SUPPORT_THRESHOLD);
      sentences.forEach((s, i) => {
        const cited = c.answer.citations[s.citation - 1]!;
        const now = c.answer.citations[move(s.citation) - 1]!;
        const r = v.sentences[i];
        if (!r || r.verdict === 'no-claim' || cited.chunkId === now.chunkId) return;
        miscitedMoved++;
        if (r.miscited) miscitedFound++;
      });
    }
  }
  return { probes, noClaim, originalClaims, miscitedMoved, miscitedFound, miscitedOriginal, msPerCheck: (performance.now() - started) / verifications };
}

interface Metrics {
  threshold: number;
  precision: number;
  recall: number;
  numberRecall: number;
  wordRecall: number;
  inventionRecall: number;
  falseFlagRate: number;
}

function metrics(probes: Probe[], threshold: number): Metrics {
  const flagged = (p: Probe) => p.score < threshold;
  const positives = probes.filter((p) => p.kind !== 'supported');
  const tp = positives.filter(flagged).length;
  const fp = probes.filter((p) => p.kind === 'supported' && flagged(p)).length;
  const share = (kind: Probe['kind']) => {
    const of = probes.filter((p) => p.kind === kind);
    return of.length ? of.filter(flagged).length / of.length : 0;
  };
  return {
    threshold,
    precision: tp + fp > 0 ? tp / (tp + fp) : 1,
    recall: positives.length ? tp / positives.length : 0,
    numberRecall: share('number'),
    wordRecall: share('word'),
    inventionRecall: share('invention'),
    falseFlagRate: share('supported'),
  };
}

async function buildCases(options: { dataset: string; loaderOptions: Record<string, unknown> }): Promise<{ cases: Case[]; documents: number }> {
  const dir = join(DATASETS_DIR, options.dataset);
  const data = await readBeirDataset({ dir });
  const tmp = mkdtempSync(join(tmpdir(), 'lore-citations-'));
  const store = new SqliteStore({ path: join(tmp, 'citations.db') });
  try {
    const report = await ingest({ store: asAsyncStore(store), paths: [join(dir, 'corpus.jsonl')], collection: 'bench', loaderOptions: options.loaderOptions });
    if (report.failed > 0) throw new Error(report.errors.map((e) => e.message).join('\n'));
    const cases: Case[] = [];
    for (const q of data.queries.slice(0, MAX_QUESTIONS)) {
      const hits = await search({ store: asAsyncStore(store), query: q.text, k: DEFAULT_ANSWER_CHUNKS });
      const answer = answerExtractively({ question: q.text, hits });
      if (answer.citations.length > 0) cases.push({ question: q.text, hits, answer });
    }
    return { cases, documents: data.corpus.length };
  } finally {
    store.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function table(probes: Probe[], options: { supportedName?: string; embedding?: boolean } = {}): string[] {
  const supportedName = options.supportedName ?? 'quotes';
  const rows = THRESHOLDS.map((t) => metrics(probes, t));
  const inventions = probes.some((p) => p.kind === 'invention');
  return [
    `| threshold${options.embedding ? ' / embedding threshold' : ''} | precision | recall | recall, number changed | recall, word swapped |${inventions ? ' recall, invented |' : ''} ${supportedName} flagged (false alarms) |`,
    `|---|---|---|---|---|---|${inventions ? '---|' : ''}`,
    ...rows.map(
      (m) =>
        `| ${m.threshold}${options.embedding ? ` / ${(m.threshold + EMBEDDING_OFFSET).toFixed(1)}` : ''}${m.threshold === DEFAULT_SUPPORT_THRESHOLD ? ' (default)' : ''} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.numberRecall)} | ${pct(m.wordRecall)} |${inventions ? ` ${pct(m.inventionRecall)} |` : ''} ${pct(m.falseFlagRate)} |`,
    ),
  ];
}

/**
 * Hand-written claims about examples/ (bench/citation-claims.ts), each cited as source [1] of a generative
 * answer whose other sources are what `search()` retrieves for the claim: paraphrases (supported), their
 * numbers changed, words swapped, inventions.
 */
async function exampleProbes(claims: ExampleClaim[], embedder?: EmbeddingModel): Promise<Probe[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'lore-citations-examples-'));
  const store = new SqliteStore({ path: join(tmp, 'examples.db') });
  try {
    await ingest({ store: asAsyncStore(store), paths: [join(ROOT, 'examples')], collection: 'examples' });
    const probes: Probe[] = [];
    const check = async (claim: ExampleClaim, text: string, kind: Probe['kind']) => {
      const cited = (await search({ store: asAsyncStore(store), query: claim.cites, k: 20, mode: 'keyword' })).find((h) => h.text.includes(claim.cites));
      if (!cited) throw new Error(`no chunk has ${claim.cites}`);
      const others = (await search({ store: asAsyncStore(store), query: text, k: DEFAULT_ANSWER_CHUNKS })).filter((h) => h.chunkId !== cited.chunkId);
      const hits = [cited, ...others];
      const answer: Answer = {
        question: text,
        mode: 'generative',
        text: `${text} [1]`,
        citations: [{ n: 1, source: cited.source, title: cited.title, page: cited.page, headingPath: cited.headingPath, quote: cited.text, start: cited.start, end: cited.end, chunkId: cited.chunkId, documentId: cited.documentId, collection: cited.collection, score: cited.score }],
      };
      const score = supportScore(await verifyAnswer({ answer, hits, threshold: 0, embeddingThreshold: EMBEDDING_OFFSET, embedder }), 0);
      if (!Number.isNaN(score)) probes.push({ kind, score, flaggedAtDefault: score < DEFAULT_SUPPORT_THRESHOLD });
    };
    for (const claim of claims) {
      await check(claim, claim.text, claim.kind === 'paraphrase' ? 'supported' : claim.kind === 'swap' ? 'word' : 'invention');
      const changed = claim.kind === 'paraphrase' ? changeNumber(claim.text) : undefined;
      if (changed) await check(claim, changed, 'number');
    }
    return probes;
  } finally {
    store.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const sets = [
    { name: 'cmrc2018-trial', language: 'Chinese', loaderOptions: { textFields: ['title', 'text'], idField: '_id' }, minWordLength: 2, seed: 7 },
    { name: 'cranfield', language: 'English', loaderOptions: { textFields: ['title', 'text'], idField: '_id' }, minWordLength: 6, seed: 11 },
  ];
  const sections: string[] = [];
  for (const [language, claims] of [['English', ENGLISH_CLAIMS], ['Chinese', CHINESE_CLAIMS]] as const) {
    const probes = await exampleProbes(claims);
    const count = (kind: Probe['kind']) => probes.filter((p) => p.kind === kind).length;
    sections.push(
      [
        `### examples/, ${language}: paraphrases (${count('supported')} supported, ${count('number')} with a number changed, ${count('word')} with a word swapped, ${count('invention')} invented)`,
        '',
        ...table(probes, { supportedName: 'paraphrases' }),
        '',
      ].join('\n'),
    );
    process.stderr.write(sections.at(-1)! + '\n\n');
  }
  let englishCases: Case[] = [];
  for (const set of sets) {
    const { cases, documents } = await buildCases({ dataset: set.name, loaderOptions: set.loaderOptions });
    if (set.language === 'English') englishCases = cases;
    const r = await probe(cases, { minWordLength: set.minWordLength, seed: set.seed });
    const count = (kind: Probe['kind']) => r.probes.filter((p) => p.kind === kind).length;
    sections.push(
      [
        `### ${set.name} (${set.language}, ${documents} documents, ${cases.length} answered questions)`,
        '',
        `${count('supported')} quoted sentences (supported), ${count('number')} with a number changed, ${count('word')} with a word swapped; ${r.noClaim} sentence${r.noClaim === 1 ? '' : 's'} judged to make no claim. ${r.msPerCheck.toFixed(1)} ms per answer checked.`,
        '',
        ...table(r.probes),
        '',
        `Miscitation (each marker moved to another chunk's citation): ${pct(r.miscitedMoved ? r.miscitedFound / r.miscitedMoved : 0)} of ${r.miscitedMoved} moved sentences reported as miscited; ${r.miscitedOriginal} of ${r.originalClaims} correctly cited ones were.`,
        '',
      ].join('\n'),
    );
    process.stderr.write(sections.at(-1)! + '\n\n');
  }
  if (WITH_EMBEDDER) {
    const model = createUseLiteEmbedder();
    // The benchmark checks each answer several times (original, corrupted copies, moved markers) against the
    // same passages: each distinct text is embedded once.
    const memo = new Map<string, Float32Array>();
    const embedder: EmbeddingModel = {
      id: model.id,
      dimensions: model.dimensions,
      languages: model.languages,
      embed: async (texts) => {
        const fresh = [...new Set(texts.filter((t) => !memo.has(t)))];
        const vectors = fresh.length > 0 ? await model.embed(fresh) : [];
        fresh.forEach((t, i) => memo.set(t, vectors[i]!));
        return texts.map((t) => memo.get(t)!);
      },
    };
    try {
      const cases = englishCases.slice(0, EMBEDDER_QUESTIONS);
      const lexical = await probe(cases, { minWordLength: 6, seed: 11 });
      const embedded = await probe(cases, { minWordLength: 6, seed: 11, embedder });
      const examples = await exampleProbes(ENGLISH_CLAIMS, embedder);
      sections.push(
        [
          '### With the bundled USE-lite embedder (English)',
          '',
          `A passage also supports a claim when the mean of its lexical score and embedding similarity (weight ${DEFAULT_EMBEDDING_WEIGHT}) reaches the embedding threshold. examples/, English paraphrases:`,
          '',
          ...table(examples, { supportedName: 'paraphrases', embedding: true }),
          '',
          `cranfield, first ${cases.length} answered questions (${embedded.msPerCheck.toFixed(0)} ms per answer checked, embedding included):`,
          '',
          ...table(embedded.probes, { embedding: true }),
          '',
          'The same questions, lexical only:',
          '',
          ...table(lexical.probes),
          '',
        ].join('\n'),
      );
      process.stderr.write(sections.at(-1)! + '\n\n');
    } finally {
      await model.close();
    }
  }
  const body = [
    `Run: \`npx tsx bench/citations.ts${WITH_EMBEDDER ? ' --embedder' : ''}\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores, ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    '',
    '`verifyAnswer()` without a language model, on the first ' + MAX_QUESTIONS + ' questions of each set. Each question is answered as `lore ask`',
    `answers without a model (\`search()\`, top ${DEFAULT_ANSWER_CHUNKS}; \`answerExtractively()\`, up to 3 quoted sentences): those sentences are`,
    'supported by construction. Corrupted copies of one sentence per answer are not: its first number changed',
    '(18 → 19, 十八 → 十四), or its most specific word (the longest: a name, a term) swapped for a word of similar',
    'length from another answer that none of the retrieved chunks contains. The check must flag the corrupted',
    'sentence (recall) without flagging quotes (precision counts quotes flagged as false alarms). A sentence is',
    'flagged when no passage has all its numbers and covers at least the threshold of its IDF-weighted terms.',
    '',
    ...sections,
    '',
    'What the tables say:',
    '',
    '- A changed number is caught at any threshold, since support needs every number the claim states, each',
    '  matched by a number of the passage (18, eighteen and 十八 alike). The misses are changed values that the',
    '  passage also states elsewhere in the sentence (61话…62话 changed to 62话…62话 is caught; 1994年…1995年',
    '  changed to 1995年…1995年 is caught; 2008 changed to 2009 next to a sentence about 2009 is not).',
    '- Invented claims on the topic of the cited passage are all flagged.',
    '- One swapped word in a sentence takes away only its share of the weight. Hand-written paraphrases of',
    '  examples/ keep their content words, so at the default threshold half the swaps there are caught without',
    '  flagging a paraphrase; in the long quoted sentences of CMRC and Cranfield (often 20-30 content terms) one',
    '  word is a few per cent of the weight and almost every swap passes. Higher thresholds catch more swaps but',
    "  flag paraphrases (examples/ rows 0.7 and up): the lexical check catches claims the sources do not make, not",
    '  one wrong name in an otherwise supported sentence — that takes a judge model (`judge`).',
    '- Quotes are never flagged, except a quote the extractive answer cut inside a number ("exceeded 30," of',
    '  "30,000").',
    '- A quote cited to the wrong chunk is reported as miscited when the newly cited chunk does not support it.',
    '  The misses are short sentences (Cranfield titles such as "research on unsteady flow .") whose few terms',
    '  the newly cited passage covers as well.',
    ...(WITH_EMBEDDER
      ? [
          '- The USE-lite embedder changes no decision here: a passage on the same topic is similar to a claim',
          '  whether or not it says the same, so the mean needs a high threshold, and then it rescues few',
          '  paraphrases that the words miss; it costs the embedding of every candidate passage.',
        ]
      : []),
  ].join('\n');
  process.stderr.write(body + '\n');
  if (WRITE) {
    writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section: 'Citation check', body });
    process.stderr.write('wrote docs/benchmarks.md\n');
  }
}

await main();
// The analyser pool's idle workers must not keep the process alive.
process.exit(0);
