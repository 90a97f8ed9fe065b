import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../spec/store.js';
import type { Answer } from './answer.js';
import { stripCitationMarkers } from './answer.js';
import { answerExtractively, EXTRACTIVE_NOTE, NO_ANSWER_TEXT, NO_ANSWER_TEXT_ZH } from './extractive-answer.js';

const GUIDE = `# Wind turbine maintenance guide

## Gearbox

The gearbox converts the slow rotation of the rotor into the high speed the generator needs.
Check the oil level every month and replace the oil every 18 months. A rising oil temperature or
metal particles in the filter are early signs of bearing wear.

## Blades

Inspect the leading edge of each blade twice a year. Erosion from rain and sand reduces the power
output by up to 5%. Small cracks can be repaired with epoxy filler; larger damage needs a specialist.

## Yaw system

The yaw drive turns the nacelle into the wind. Grease the yaw bearing every six months and check
the brake pads for wear. A turbine that does not follow the wind loses energy and loads the tower
unevenly.
`;

const MANUAL = `# 风力发电机维护手册

## 齿轮箱

齿轮箱把风轮的低速转动变成发电机需要的高速转动。每个月检查一次油位，每十八个月更换一次齿轮油。
油温持续升高或者滤网里出现金属颗粒，往往是轴承磨损的早期信号。

## 叶片

每年检查两次叶片前缘。雨水和沙尘造成的侵蚀会让发电量下降百分之五左右。小裂纹可以用环氧树脂修补；
较大的损伤需要请专业人员处理。
`;

let nextChunkId = 1;

/** A hit whose text is `doc.slice(start, end)`, as the store returns chunks. */
function hit(doc: string, from: string, to: string | undefined, o: { documentId?: number; source?: string; headingPath?: string[]; score?: number } = {}): SearchHit {
  const start = doc.indexOf(from);
  if (start < 0) throw new Error(`not in the document: ${from}`);
  const end = to === undefined ? doc.length : doc.indexOf(to, start) + to.length;
  if (end < start + from.length) throw new Error(`not in the document: ${to}`);
  const id = nextChunkId++;
  return {
    chunkId: id,
    documentId: o.documentId ?? 1,
    collection: 'default',
    source: o.source ?? '/docs/guide.md',
    title: null,
    mimeType: 'text/markdown',
    ordinal: id,
    text: doc.slice(start, end),
    start,
    end,
    page: null,
    headingPath: o.headingPath ?? [],
    metadata: {},
    score: o.score ?? 1,
    scores: { keyword: o.score ?? 1 },
  };
}

/** Every citation quotes the document exactly at its offsets, and every marker has a citation. */
function expectExactCitations(answer: Answer, docs: Record<string, string>): void {
  for (const c of answer.citations) {
    const doc = docs[c.source];
    expect(doc, c.source).toBeDefined();
    expect(doc!.slice(c.start, c.end)).toBe(c.quote);
    expect(answer.text).toContain(`[${c.n}]`);
  }
  expect(answer.citations.map((c) => c.n)).toEqual(answer.citations.map((_, i) => i + 1));
}

describe('answerExtractively', () => {
  const gearbox = () => hit(GUIDE, '## Gearbox', 'bearing wear.', { headingPath: ['Wind turbine maintenance guide', 'Gearbox'], score: 3 });
  const blades = () => hit(GUIDE, '## Blades', 'a specialist.', { headingPath: ['Wind turbine maintenance guide', 'Blades'], score: 2 });
  const yaw = () => hit(GUIDE, '## Yaw system', undefined, { headingPath: ['Wind turbine maintenance guide', 'Yaw system'], score: 1 });

  it('quotes the sentence that answers an English question, with an exact citation', () => {
    const answer = answerExtractively({ question: 'How often should the gearbox oil be replaced?', hits: [gearbox(), blades(), yaw()] });
    expect(answer.mode).toBe('extractive');
    expect(answer.question).toBe('How often should the gearbox oil be replaced?');
    expect(answer.text).toMatch(/replace the oil every 18 months\..*\[1\]/);
    const best = [...answer.sentences!].sort((a, b) => b.score - a.score)[0]!;
    expect(best.text).toBe('Check the oil level every month and replace the oil every 18 months.');
    const first = answer.citations[0]!;
    expect(first).toMatchObject({ n: 1, source: '/docs/guide.md', headingPath: ['Wind turbine maintenance guide', 'Gearbox'], page: null, documentId: 1, collection: 'default' });
    expect(first.quote).toContain('replace the oil every 18 months.');
    expect(first.score).toBeGreaterThan(0);
    expectExactCitations(answer, { '/docs/guide.md': GUIDE });
    expect(answer.note).toBe(EXTRACTIVE_NOTE);
    expect(answer.note).toContain('--model');
    expect(answer.model).toBeUndefined();
  });

  it('quotes the sentence that answers a Chinese question, with an exact citation', () => {
    const hits = [
      hit(MANUAL, '## 齿轮箱', '早期信号。', { source: '/docs/手册.md', headingPath: ['风力发电机维护手册', '齿轮箱'], score: 2 }),
      hit(MANUAL, '## 叶片', undefined, { source: '/docs/手册.md', headingPath: ['风力发电机维护手册', '叶片'], score: 1 }),
    ];
    const answer = answerExtractively({ question: '齿轮油多久更换一次？', hits, maxSentences: 1 });
    expect(answer.text).toBe('每个月检查一次油位，每十八个月更换一次齿轮油。[1]');
    expect(answer.citations).toHaveLength(1);
    expect(answer.citations[0]!.headingPath).toEqual(['风力发电机维护手册', '齿轮箱']);
    expectExactCitations(answer, { '/docs/手册.md': MANUAL });
  });

  it('joins a sentence hard-wrapped over two lines: the quote keeps the line break, the text does not', () => {
    const answer = answerExtractively({ question: 'What does a rising oil temperature or metal particles in the filter signal?', hits: [gearbox()], maxSentences: 1 });
    expect(answer.text).toBe('A rising oil temperature or metal particles in the filter are early signs of bearing wear. [1]');
    expect(answer.citations[0]!.quote).toBe('A rising oil temperature or\nmetal particles in the filter are early signs of bearing wear.');
    expectExactCitations(answer, { '/docs/guide.md': GUIDE });

    const zh = answerExtractively({ question: '小裂纹用什么修补？', hits: [hit(MANUAL, '## 叶片', undefined, { source: '/docs/手册.md' })], maxSentences: 1 });
    expect(zh.text).toBe('小裂纹可以用环氧树脂修补；较大的损伤需要请专业人员处理。[1]');
    expect(zh.citations[0]!.quote).toBe('小裂纹可以用环氧树脂修补；\n较大的损伤需要请专业人员处理。');
  });

  it('gives sentences in reading order, merging adjacent ones of a chunk into one citation', () => {
    const doc = 'Solar panels need cleaning twice a year. Inverters usually fail after ten years. Replace the inverter when its efficiency drops below 90 percent. Batteries store the energy for the night.';
    const answer = answerExtractively({ question: 'When should the inverter be replaced?', hits: [hit(doc, 'Solar', undefined, { source: '/docs/solar.txt' })], minRelativeScore: 0 });
    const sentences = answer.sentences!;
    expect(sentences.map((s) => s.text)).toEqual(['Inverters usually fail after ten years.', 'Replace the inverter when its efficiency drops below 90 percent.']);
    // The second sentence scores higher but comes second, as in the document.
    expect(sentences[1]!.score).toBeGreaterThan(sentences[0]!.score);
    expect(answer.text).toBe('Inverters usually fail after ten years. Replace the inverter when its efficiency drops below 90 percent. [1]');
    expect(answer.citations).toHaveLength(1);
    expect(answer.citations[0]!.quote).toBe('Inverters usually fail after ten years. Replace the inverter when its efficiency drops below 90 percent.');
    expectExactCitations(answer, { '/docs/solar.txt': doc });
  });

  it('orders sources by their best sentence and numbers citations in order of appearance', () => {
    const weak = 'Our inverter brochure lists many models. The office is open on weekdays.';
    const strong = 'Replace the inverter when its efficiency drops below 90 percent. Wear gloves.';
    const hits = [
      hit(weak, 'Our', undefined, { documentId: 1, source: '/docs/brochure.txt', score: 5 }),
      hit(strong, 'Replace', undefined, { documentId: 2, source: '/docs/manual.txt', score: 4 }),
    ];
    const answer = answerExtractively({ question: 'When should the inverter be replaced?', hits, minRelativeScore: 0 });
    expect(answer.citations.map((c) => c.source)).toEqual(['/docs/manual.txt', '/docs/brochure.txt']);
    expect(answer.text).toBe('Replace the inverter when its efficiency drops below 90 percent. [1] Our inverter brochure lists many models. [2]');
    expectExactCitations(answer, { '/docs/brochure.txt': weak, '/docs/manual.txt': strong });
  });

  it('drops the repeated text of overlapping chunks and near-duplicate sentences', () => {
    // Two chunks of one document that overlap on the sentence that answers.
    const first = hit(GUIDE, '## Gearbox', 'every 18 months.', { headingPath: ['Wind turbine maintenance guide', 'Gearbox'], score: 3 });
    const second = hit(GUIDE, 'Check the oil level', 'bearing wear.', { headingPath: ['Wind turbine maintenance guide', 'Gearbox'], score: 2 });
    // The same sentence, copied into another document.
    const copy = 'Note: check the oil level every month and replace the oil every 18 months!';
    const third = hit(copy, 'Note', undefined, { documentId: 2, source: '/docs/copy.txt', score: 1 });
    const answer = answerExtractively({ question: 'How often should the gearbox oil be replaced?', hits: [first, second, third], minRelativeScore: 0 });
    const plain = stripCitationMarkers(answer.text);
    expect(plain.match(/replace the oil every 18 months/gi)).toHaveLength(1);
    expect(answer.citations.filter((c) => /18 months/.test(c.quote))).toHaveLength(1);
    expectExactCitations(answer, { '/docs/guide.md': GUIDE, '/docs/copy.txt': copy });
  });

  it('keeps within maxSentences and maxTokens', () => {
    const hits = [gearbox(), blades(), yaw()];
    const one = answerExtractively({ question: 'oil blade yaw bearing wear', hits, maxSentences: 1 });
    expect(one.sentences).toHaveLength(1);
    const many = answerExtractively({ question: 'oil blade yaw bearing wear', hits, maxSentences: 10, minRelativeScore: 0 });
    expect(many.sentences!.length).toBeGreaterThan(3);
    const short = answerExtractively({ question: 'oil blade yaw bearing wear', hits, maxSentences: 10, maxTokens: 30, minRelativeScore: 0 });
    expect(short.sentences!.length).toBeGreaterThan(0);
    expect(short.sentences!.length).toBeLessThan(many.sentences!.length);
  });

  it('cuts a sentence longer than maxTokens so that its quote still matches the document', () => {
    const doc = `Parts list: ${Array.from({ length: 60 }, (_, i) => `part ${i} bolt`).join(', ')}, and the torque wrench for the gearbox flange.`;
    const answer = answerExtractively({ question: 'Which torque wrench fits the gearbox flange?', hits: [hit(doc, 'Parts', undefined, { source: '/docs/parts.txt' })], maxTokens: 40 });
    expect(answer.citations).toHaveLength(1);
    expect(answer.citations[0]!.quote).toContain('torque wrench for the gearbox flange');
    expectExactCitations(answer, { '/docs/parts.txt': doc });
  });

  it('says so when no passage answers the question', () => {
    const none = answerExtractively({ question: 'What is the capital of France?', hits: [gearbox(), blades()] });
    expect(none).toMatchObject({ mode: 'extractive', text: NO_ANSWER_TEXT, citations: [], sentences: [], note: EXTRACTIVE_NOTE });
    expect(answerExtractively({ question: 'How often should the gearbox oil be replaced?', hits: [] }).text).toBe(NO_ANSWER_TEXT);
    expect(answerExtractively({ question: '法国的首都是哪里？', hits: [gearbox()] }).text).toBe(NO_ANSWER_TEXT_ZH);
    // Only stop words and question words: nothing to match.
    expect(answerExtractively({ question: 'What is it?', hits: [gearbox()] }).citations).toEqual([]);
  });
});
