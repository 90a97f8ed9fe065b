import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChunkPool } from '../ingest/chunk-pool.js';
import { ingest } from '../ingest/ingest.js';
import { loadDocument } from '../ingest/loaders/index.js';
import { createOpenAICompatibleModel } from '../models/providers/openai-compatible.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../models/test-support/fake-openai-server.js';
import { search } from '../retrieve/search.js';
import type { SearchHit } from '../spec/store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Answer, Citation } from './answer.js';
import { splitAnswerSentences } from './answer-sentences.js';
import { findNumbers } from './claim-numbers.js';
import { answerExtractively } from './extractive-answer.js';
import type { Verification } from './verification.js';
import { verifyAnswer } from './verify-citations.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const GUIDE = join(EXAMPLES, 'wind-turbine-maintenance.md');
const MANUAL = join(EXAMPLES, '风力发电机维护手册.md');

let dir: string;
let store: SqliteStore;
let server: FakeOpenAIServer;
const pool = createChunkPool({ workers: 0 });

/** Replies of the judge models, by model name, for the fake OpenAI server. */
const JUDGE_REPLIES = {
  // Sentence 1 supported by the first passage shown; sentence 2 judged unsupported although its words match.
  'judge-two': JSON.stringify({
    verdicts: [
      { sentence: 1, verdict: 'supported', passage: 1 },
      { sentence: 2, verdict: 'unsupported', passage: null },
    ],
  }),
  // A verdict for sentence 1 only.
  'judge-partial': JSON.stringify({ verdicts: [{ sentence: 1, verdict: 'contradicted', passage: null }] }),
  'judge-garbage': 'I checked the sentences and they all look fine to me!',
  'judge-wrong-shape': JSON.stringify({ answer: 'supported' }),
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lore-verify-'));
  store = new SqliteStore({ path: join(dir, 'lore.db') });
  const report = await ingest({ store: asAsyncStore(store), paths: [EXAMPLES], pool });
  expect(report.failed).toBe(0);
  server = await startFakeOpenAIServer({ scripted: Object.fromEntries(Object.entries(JUDGE_REPLIES).map(([name, reply]) => [name, { replies: [reply] }])) });
});

afterAll(async () => {
  store.close();
  await pool.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What `search()` returns for a query, as `lore ask` retrieves. */
const retrieve = (query: string) => search({ store: asAsyncStore(store), query, k: 8 });

/** The retrieved chunk whose text contains a snippet. */
function chunkWith(hits: SearchHit[], snippet: string): SearchHit {
  const hit = hits.find((h) => h.text.includes(snippet));
  if (!hit) throw new Error(`no retrieved chunk contains ${snippet}`);
  return hit;
}

function citation(n: number, hit: SearchHit): Citation {
  return { n, source: hit.source, title: hit.title, page: hit.page, headingPath: hit.headingPath, quote: hit.text, start: hit.start, end: hit.end, chunkId: hit.chunkId, documentId: hit.documentId, collection: hit.collection, score: hit.score };
}

/**
 * A generative answer as `answerWithModel` returns it: source n is `hits[n − 1]`, citations for the
 * markers the text carries.
 */
function written(text: string, hits: SearchHit[]): Answer {
  const cited = [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  return { question: 'q', mode: 'generative', text, citations: cited.map((n) => citation(n, hits[n - 1]!)), model: 'test' };
}

/**
 * Every reported passage quotes its document exactly at its offsets: the text the loader gives (Markdown
 * as it is in the file; a CSV file as its records).
 */
async function expectExactSpans(v: Verification): Promise<void> {
  for (const s of v.sentences) {
    for (const p of [...s.support, ...(s.closest ? [s.closest] : [])]) {
      const doc = await loadDocument({ source: p.source, bytes: readFileSync(p.source) });
      expect(doc.text.slice(p.quoteStart, p.quoteEnd)).toBe(p.quote);
    }
  }
}

describe('verifyAnswer without a language model', () => {
  it('finds the sentence that supports an English claim, with its exact span in the document', async () => {
    const hits = await retrieve('How often should the gearbox oil be replaced?');
    const gearbox = hits.indexOf(chunkWith(hits, 'The gearbox converts')) + 1;
    const answer = written(`Replace the gearbox oil every 18 months [${gearbox}].`, hits);
    const v = await verifyAnswer({ answer, hits });
    const [s] = v.sentences;
    expect(s).toMatchObject({ index: 0, sentence: 'Replace the gearbox oil every 18 months.', cited: [gearbox], verdict: 'supported', supported: true, method: 'lexical', miscited: false, uncited: false });
    expect(answer.text.slice(s!.start, s!.end)).toBe(`Replace the gearbox oil every 18 months [${gearbox}].`);
    const best = s!.support[0]!;
    expect(best).toMatchObject({ n: gearbox, source: GUIDE, headingPath: ['Wind turbine maintenance guide', 'Gearbox'], quote: 'Check the oil level every month and replace the oil every 18 months.' });
    expect(readFileSync(GUIDE, 'utf8').slice(best.quoteStart, best.quoteEnd)).toBe(best.quote);
    expect(best.score).toBeGreaterThanOrEqual(0.6);
    expect(v).toMatchObject({ claims: 1, supported: 1, supportRate: 1, flagged: [], method: 'lexical', notes: [] });
  });

  it('does not accept a claim whose number the passage contradicts', async () => {
    const hits = await retrieve('How often should the gearbox oil be replaced?');
    const gearbox = hits.indexOf(chunkWith(hits, 'The gearbox converts')) + 1;
    const v = await verifyAnswer({ answer: written(`Replace the gearbox oil every 24 months [${gearbox}].`, hits), hits });
    const [s] = v.sentences;
    expect(s).toMatchObject({ verdict: 'contradicted', supported: false, support: [], missingNumbers: ['24'] });
    // What the source does say.
    expect(s!.closest!.quote).toContain('every 18 months');
    expect(v.flagged).toEqual([{ index: 0, sentence: 'Replace the gearbox oil every 24 months.', reason: 'contradicted' }]);
    expect(v.supportRate).toBe(0);
    await expectExactSpans(v);

    // Numbers in words and in Chinese numerals count the same as digits.
    const twice = await verifyAnswer({ answer: written('Inspect the leading edge of each blade two times a year [1].', [chunkWith(hits, 'twice a year')]), hits: [chunkWith(hits, 'twice a year')] });
    expect(twice.sentences[0]!.verdict).toBe('supported');
    const thrice = await verifyAnswer({ answer: written('Inspect the leading edge of each blade three times a year [1].', [chunkWith(hits, 'twice a year')]), hits: [chunkWith(hits, 'twice a year')] });
    expect(thrice.sentences[0]!.supported).toBe(false);
  });

  it('reports a claim that another retrieved chunk supports, not the one it cites, as miscited', async () => {
    const hits = await retrieve('gearbox oil and yaw bearing grease');
    const gearbox = hits.indexOf(chunkWith(hits, 'The gearbox converts')) + 1;
    const yaw = hits.indexOf(chunkWith(hits, 'The yaw drive turns')) + 1;
    const v = await verifyAnswer({ answer: written(`Replace the gearbox oil every 18 months [${gearbox}]. Grease the yaw bearing every six months [${gearbox}].`, hits), hits });
    expect(v.sentences.map((s) => [s.verdict, s.miscited])).toEqual([['supported', false], ['supported', true]]);
    const moved = v.sentences[1]!;
    expect(moved.cited).toEqual([gearbox]);
    // The support names the chunk that does say it, by its source number.
    expect(moved.support[0]).toMatchObject({ n: yaw, headingPath: ['Wind turbine maintenance guide', 'Yaw system'] });
    expect(moved.support[0]!.quote).toMatch(/^Grease the yaw bearing every six months/);
    expect(v).toMatchObject({ claims: 2, supported: 2, flagged: [{ index: 1, reason: 'miscited' }] });
    await expectExactSpans(v);

    // A marker that cites no source: the claim is still found in the retrieved chunks, and it is said.
    const phantom = await verifyAnswer({ answer: { ...written('Replace the gearbox oil every 18 months.', hits), text: 'Replace the gearbox oil every 18 months [9].' }, hits });
    expect(phantom.sentences[0]).toMatchObject({ verdict: 'supported', miscited: true, note: 'cites [9], which is not among the sources' });
    expect(phantom.notes).toEqual(['[9] cites no source given to the check.']);
  });

  it('checks Chinese claims: supported with the exact span, and not supported', async () => {
    const hits = await retrieve('齿轮油多久更换一次？');
    const gearbox = hits.indexOf(chunkWith(hits, '齿轮箱把风轮')) + 1;
    const blades = hits.indexOf(chunkWith(hits, '叶片前缘')) + 1;
    const text = `齿轮油每18个月需要更换一次[${gearbox}]。叶片一般在使用二十年后更换。[${blades}]齿轮油每二十四个月更换一次。[${gearbox}]`;
    const v = await verifyAnswer({ answer: written(text, hits), hits });
    expect(v.sentences.map((s) => s.sentence)).toEqual(['齿轮油每18个月需要更换一次。', '叶片一般在使用二十年后更换。', '齿轮油每二十四个月更换一次。']);
    expect(v.sentences.map((s) => s.verdict)).toEqual(['supported', 'unsupported', 'contradicted']);
    expect(v.sentences.map((s) => s.cited)).toEqual([[gearbox], [blades], [gearbox]]);
    const best = v.sentences[0]!.support[0]!;
    expect(best).toMatchObject({ source: MANUAL, quote: '每个月检查一次油位，每十八个月更换一次齿轮油。', headingPath: ['风力发电机维护手册', '齿轮箱'] });
    expect(readFileSync(MANUAL, 'utf8').slice(best.quoteStart, best.quoteEnd)).toBe(best.quote);
    // The sentence spans in the answer text keep their markers.
    expect(text.slice(v.sentences[1]!.start, v.sentences[1]!.end)).toBe(`叶片一般在使用二十年后更换。[${blades}]`);
    expect(v.flagged.map((f) => f.reason)).toEqual(['unsupported', 'contradicted']);
    await expectExactSpans(v);
  });

  it('leaves sentences that claim nothing out of the count', async () => {
    const hits = await retrieve('How often should the gearbox oil be replaced?');
    const gearbox = hits.indexOf(chunkWith(hits, 'The gearbox converts')) + 1;
    const v = await verifyAnswer({ answer: written(`Here is what the manual says:\n\nReplace the gearbox oil every 18 months [${gearbox}].\n\nI hope this helps!`, hits), hits });
    expect(v.sentences.map((s) => s.verdict)).toEqual(['no-claim', 'supported', 'no-claim']);
    expect(v).toMatchObject({ claims: 1, supported: 1, supportRate: 1, flagged: [] });

    const zh = await verifyAnswer({ answer: written(`根据手册的内容：每十八个月更换一次齿轮油。[1]希望对您有帮助。`, [chunkWith(await retrieve('齿轮油'), '齿轮箱把风轮')]), hits: [] });
    expect(zh.sentences.map((s) => s.verdict)).toEqual(['supported', 'no-claim']);
    const none = await verifyAnswer({ answer: answerExtractively({ question: 'What is the capital of France?', hits }), hits });
    expect(none).toMatchObject({ claims: 0, supportRate: 1, flagged: [] });
    expect(none.sentences[0]!.verdict).toBe('no-claim');
  });

  it('finds every sentence of an extractive answer supported by the passage it quotes', async () => {
    for (const question of ['How often should the gearbox oil be replaced?', 'What damages the blades and how are cracks repaired?', 'How loud is a wind turbine?', '齿轮油多久更换一次？', '叶片的小裂纹怎么修补？']) {
      const hits = await retrieve(question);
      const answer = answerExtractively({ question, hits });
      expect(answer.sentences!.length, question).toBeGreaterThan(0);
      for (const given of [hits, undefined]) {
        const v = await verifyAnswer({ answer, hits: given });
        expect(v.flagged, question).toEqual([]);
        expect(v.claims, question).toBe(answer.sentences!.length);
        expect(v.supportRate, question).toBe(1);
        // The support found is the quoted sentence itself.
        v.sentences.forEach((s, i) => {
          const quoted = answer.sentences![i]!;
          expect(s.cited).toEqual([quoted.citation]);
          expect(s.support.some((p) => p.quoteStart === quoted.start && p.quoteEnd === quoted.end && p.n === quoted.citation), `${question}: ${s.sentence}`).toBe(true);
        });
        await expectExactSpans(v);
      }
    }
  });

  it('adds the embedding similarity for languages the embedder represents', async () => {
    const { createUseLiteEmbedder } = await import('../models/embedders/use-lite-embedder.js');
    const embedder = createUseLiteEmbedder({ workers: 0 });
    try {
      const hits = await retrieve('gearbox oil');
      const gearbox = hits.indexOf(chunkWith(hits, 'The gearbox converts')) + 1;
      const v = await verifyAnswer({ answer: written(`Replace the gearbox oil every 18 months [${gearbox}]. Lightning protection on the blades should be tested every spring [${gearbox}].`, hits), hits, embedder });
      expect(v.sentences.map((s) => [s.verdict, s.method])).toEqual([['supported', 'embedding'], ['unsupported', 'embedding']]);
      expect(v.method).toBe('embedding');
      // An English-only model does not represent Chinese: the lexical check decides alone.
      const zhHits = await retrieve('齿轮油');
      const zh = await verifyAnswer({ answer: written('每十八个月更换一次齿轮油。[1]', zhHits), hits: zhHits, embedder });
      expect(zh.sentences[0]).toMatchObject({ verdict: 'supported', method: 'lexical' });
    } finally {
      await embedder.close();
    }
  });
});

describe('verifyAnswer with a judge model', () => {
  const judge = (name: string) => createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: name, apiKey: 'sk-test' });

  async function twoClaims() {
    const hits = await retrieve('gearbox oil and yaw bearing grease');
    const gearbox = hits.indexOf(chunkWith(hits, 'The gearbox converts')) + 1;
    const yaw = hits.indexOf(chunkWith(hits, 'The yaw drive turns')) + 1;
    return { hits, answer: written(`Here is what the manual says: Replace the gearbox oil every 18 months [${gearbox}]. Grease the yaw bearing every six months [${yaw}]. I hope this helps!`, hits) };
  }

  it('asks once, with the claims and their candidate passages as structured output, and takes its verdicts', async () => {
    const { hits, answer } = await twoClaims();
    const before = server.requests.length;
    const v = await verifyAnswer({ answer, hits, judge: judge('judge-two') });
    expect(server.requests.length - before).toBe(1);
    const body = server.requests.at(-1)!;
    expect((body['response_format'] as { type: string; json_schema: { name: string } }).json_schema.name).toBe('citation_verdicts');
    const prompt = JSON.stringify(body['messages']);
    expect(prompt).toContain('Replace the gearbox oil every 18 months.');
    expect(prompt).toContain('Check the oil level every month and replace the oil every 18 months.');
    // Sentences that claim nothing are not sent ("Here is what the manual says:" is part of the first claim).
    expect(prompt).not.toContain('I hope this helps');

    const claims = v.sentences.filter((s) => s.verdict !== 'no-claim');
    expect(claims.map((s) => [s.verdict, s.method])).toEqual([['supported', 'judge'], ['unsupported', 'judge']]);
    // Passage 1 is the first shown for sentence 1: the best of its cited chunk.
    expect(claims[0]!.support[0]!.quote).toBe('Check the oil level every month and replace the oil every 18 months.');
    expect(v).toMatchObject({ method: 'judge', claims: 2, supported: 1, judge: { model: 'judge-two', usage: { inputTokens: 10, outputTokens: 5 } }, notes: [] });
    expect(v.flagged).toEqual([{ index: claims[1]!.index, sentence: 'Grease the yaw bearing every six months.', reason: 'unsupported' }]);
    await expectExactSpans(v);
  });

  it('keeps the lexical verdicts, with a note, for claims the judge gives no verdict for', async () => {
    const { hits, answer } = await twoClaims();
    const v = await verifyAnswer({ answer, hits, judge: judge('judge-partial') });
    const claims = v.sentences.filter((s) => s.verdict !== 'no-claim');
    expect(claims.map((s) => [s.verdict, s.method])).toEqual([['contradicted', 'judge'], ['supported', 'lexical']]);
    expect(v.notes).toEqual(['The judge gave no verdict for sentence 2: lexical verdicts used for it.']);
  });

  it('falls back to the lexical check, never throwing, when the judge fails or replies with garbage', async () => {
    const { hits, answer } = await twoClaims();
    const lexical = await verifyAnswer({ answer, hits });
    for (const name of ['judge-garbage', 'judge-wrong-shape', 'error-500', 'no-such-model']) {
      const v = await verifyAnswer({ answer, hits, judge: judge(name) });
      expect(v.sentences, name).toEqual(lexical.sentences);
      expect(v.method, name).toBe('lexical');
      expect(v.judge, name).toBeUndefined();
      expect(v.notes, name).toHaveLength(1);
      expect(v.notes[0], name).toMatch(new RegExp(`^The judge openai-compatible:.*${name}.* failed \\(.+\\): lexical verdicts used instead\\.$`));
    }
  });
});

describe('reading answers and numbers', () => {
  it('gives each sentence its markers: after the full stop, before it, or those of the next sentence of its paragraph', async () => {
    const text = 'Check the oil monthly. Replace it every 18 months. [1] Grease the bearing [2][3].\n- Inspect blades [2]\n\n每十八个月更换一次齿轮油。[1]油温升高是轴承磨损的信号。[2]';
    const sentences = splitAnswerSentences({ text });
    expect(sentences.map((s) => [s.text, s.cited, s.inherited])).toEqual([
      ['Check the oil monthly.', [1], true],
      ['Replace it every 18 months.', [1], false],
      ['Grease the bearing.', [2, 3], false],
      ['Inspect blades', [2], false],
      ['每十八个月更换一次齿轮油。', [1], false],
      ['油温升高是轴承磨损的信号。', [2], false],
    ]);
    expect(sentences.map((s) => text.slice(s.start, s.end))).toEqual([
      'Check the oil monthly.',
      'Replace it every 18 months. [1]',
      'Grease the bearing [2][3].',
      'Inspect blades [2]',
      '每十八个月更换一次齿轮油。[1]',
      '油温升高是轴承磨损的信号。[2]',
    ]);
  });

  it('reads numbers in digits, English words and Chinese numerals, but not in idioms', async () => {
    const values = (text: string) => findNumbers(text).map((m) => m.values);
    expect(values('every 18 months, twenty-four hours, twice a year, 1,450 EUR')).toEqual([[18], [24], [2], [1450]]);
    expect(values('每十八个月，下降百分之五，两百万元，1.5万人，第三届')).toEqual([[18], [5], [2_000_000], [1.5, 15_000], [3]]);
    // "one of", 一般 (usually), 十分 (very), 一个 (a), 四川 (a province) are not quantities.
    expect(values('one of the blades; 一般来说十分重要，一个人去了四川')).toEqual([]);
  });
});
