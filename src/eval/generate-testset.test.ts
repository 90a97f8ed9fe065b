import { describe, expect, it } from 'vitest';
import type { GenerateRequest, LanguageModel } from '../spec/models.js';
import { detectScript } from '../text/language.js';
import { generateTestSet, type GenerationChunk } from './generate-testset.js';
import { DuplicateFilter, rejectReason } from './generate/quality.js';

function chunk(id: number, documentId: number, ordinal: number, text: string, heading: string, title: string): GenerationChunk {
  return { chunkId: id, documentId, ordinal, source: `/docs/${documentId}.md`, title, headingPath: [heading], text };
}

const ENGLISH = [
  chunk(1, 1, 0, '## Gearbox\n\nThe gearbox converts the slow rotation of the rotor into the high speed the generator needs. Check the oil level every month and replace the oil every 18 months. Metal particles in the filter are early signs of bearing wear.', 'Gearbox', 'Turbine guide'),
  chunk(2, 1, 1, '## Blades\n\nInspect the leading edge of each blade twice a year. Rain and sand erode the leading edge and reduce the power output by about five percent. Small cracks can be repaired with epoxy filler.', 'Blades', 'Turbine guide'),
  chunk(3, 1, 2, '## Yaw system\n\nThe yaw drive is the motor that turns the nacelle into the wind. Grease the yaw bearing every six months and check the brake pads for wear. A turbine that cannot follow the wind loses energy.', 'Yaw system', 'Turbine guide'),
  chunk(4, 2, 0, '## Tower\n\nTower bolts are checked for the correct torque during the yearly service. The tower is painted every ten years to prevent corrosion. Lightning protection is tested after every storm season.', 'Tower', 'Tower manual'),
];

const CHINESE = [
  chunk(11, 3, 0, '## 齿轮箱\n\n齿轮箱把风轮的低速转动变成发电机需要的高速转动。每个月检查一次油位，每十八个月更换一次齿轮油。油温持续升高或者滤网里出现金属颗粒，往往是轴承磨损的早期信号。', '齿轮箱', '风力发电机维护手册'),
  chunk(12, 3, 1, '## 叶片\n\n每年检查两次叶片前缘。雨水和沙尘造成的侵蚀会让发电量下降百分之五左右。小裂纹可以用环氧树脂修补，较大的损伤需要请专业人员处理。', '叶片', '风力发电机维护手册'),
  chunk(13, 3, 2, '## 偏航系统\n\n偏航驱动是让机舱始终对准风向的电机。每六个月给偏航轴承加一次润滑脂，并检查刹车片的磨损情况。不能跟随风向的风机会损失发电量。', '偏航系统', '风力发电机维护手册'),
];

describe('generateTestSet (offline templates)', () => {
  it('makes English questions of every type from English chunks, each answerable from its sources', async () => {
    const set = await generateTestSet({ chunks: ENGLISH, n: 8 });
    expect(set.generator).toBe('template');
    expect(set.items.length).toBeGreaterThanOrEqual(6);
    expect(set.byType.factual).toBeGreaterThan(0);
    expect(set.byType.paraphrased).toBeGreaterThan(0);
    expect(set.byType['multi-chunk']).toBeGreaterThan(0);
    for (const item of set.items) {
      expect(detectScript(item.question)).toBe('latin');
      expect(item.question).toMatch(/\?$/);
      // The reference is quoted from the source chunks.
      for (const sentence of item.reference!.split(/(?<=\.)\s+/)) expect(item.contexts!.some((c) => c.text.includes(sentence))).toBe(true);
      expect(item.extra).toMatchObject({ language: 'en', generator: 'template' });
    }
    const multi = set.items.find((i) => i.extra?.['type'] === 'multi-chunk')!;
    expect(multi.contexts).toHaveLength(2);
    expect(set.notes.join(' ')).toMatch(/Offline template generator/);
  });

  it('makes Chinese questions from Chinese chunks', async () => {
    const set = await generateTestSet({ chunks: CHINESE, n: 6 });
    expect(set.items.length).toBeGreaterThanOrEqual(4);
    expect(set.byLanguage).toEqual({ zh: set.items.length });
    for (const item of set.items) {
      expect(detectScript(item.question)).toBe('zh');
      expect(item.question).toMatch(/？$/);
    }
    // Numbers become 多少 questions: "每十八个月更换一次齿轮油" → "…每多少个月…" or a count question.
    const all = set.items.map((i) => i.question).join('\n');
    expect(all).toMatch(/多少|哪一年|是什么|空缺|怎么说/);
  });

  it('is deterministic for a seed and different for another', async () => {
    const a = await generateTestSet({ chunks: [...ENGLISH, ...CHINESE], n: 8, seed: 3 });
    const b = await generateTestSet({ chunks: [...ENGLISH, ...CHINESE], n: 8, seed: 3 });
    const c = await generateTestSet({ chunks: [...ENGLISH, ...CHINESE], n: 8, seed: 4 });
    expect(a.items).toEqual(b.items);
    expect(a.items.map((i) => i.question)).not.toEqual(c.items.map((i) => i.question));
    expect(new Set(a.items.map((i) => i.id)).size).toBe(a.items.length);
  });

  it('never asks the same thing twice and stops when the text runs out', async () => {
    const set = await generateTestSet({ chunks: ENGLISH.slice(0, 1), n: 50 });
    expect(set.items.length).toBeLessThan(50);
    expect(set.notes.join(' ')).toMatch(/Only \d+ of 50/);
    const questions = set.items.map((i) => i.question);
    expect(new Set(questions).size).toBe(questions.length);
  });
});

describe('quality filter and de-duplication', () => {
  const source = ENGLISH[0]!;
  const candidate = (question: string, reference: string, type: 'factual' | 'paraphrased' = 'factual') => ({ type, language: 'en' as const, question, reference, sources: [source] });

  it('rejects what is not answerable from the source, too short, not a question, or in another language', () => {
    expect(rejectReason(candidate('How often is the gearbox oil replaced?', 'Every 18 months the oil is replaced.'))).toBeUndefined();
    expect(rejectReason(candidate('Who built the first windmill in Persia?', 'Persian engineers built it around 900 AD.'))).toMatch(/sources state only/);
    expect(rejectReason(candidate('Oil?', 'Every 18 months the oil is replaced.'))).toMatch(/too short/);
    expect(rejectReason(candidate('Tell me about the gearbox oil', 'Every 18 months the oil is replaced.'))).toMatch(/not a question/);
    expect(rejectReason(candidate('齿轮油多久更换一次？', 'Every 18 months the oil is replaced.'))).toMatch(/language/);
    expect(rejectReason(candidate('What about: replace the oil every 18 months?', 'replace the oil every 18 months', 'paraphrased'))).toMatch(/contains its answer/);
  });

  it('drops near-duplicate questions', () => {
    const filter = new DuplicateFilter();
    expect(filter.accept('How often is the gearbox oil replaced?')).toBe(true);
    expect(filter.accept('How often is gearbox oil replaced?')).toBe(false);
    expect(filter.accept('How often are the blades inspected?')).toBe(true);
    expect(filter.dropped).toBe(1);
  });
});

describe('generateTestSet with a model', () => {
  it('asks the model for structured questions in the passage language and filters what it writes', async () => {
    const requests: GenerateRequest[] = [];
    let n = 0;
    const model: LanguageModel = {
      id: 'stub-writer',
      async generate(request) {
        requests.push(request);
        n++;
        const zh = request.messages.some((m) => m.content.includes('用中文'));
        // 1: a good question; 2: garbage (a failure after the repair turn); then a question the passage does not answer.
        const text = n === 1 ? JSON.stringify(zh ? { question: '齿轮油多久更换一次', answer: '每十八个月更换一次齿轮油。' } : { question: 'How often is the gearbox oil replaced', answer: 'The oil is replaced every 18 months.' }) : n <= 3 ? 'no idea' : JSON.stringify({ question: 'Who invented the windmill?', answer: 'Nobody knows who invented the windmill.' });
        return { text, toolCalls: [], finishReason: 'stop', model: 'stub-writer' };
      },
      stream() {
        throw new Error('not used');
      },
    };
    const set = await generateTestSet({ chunks: ENGLISH.slice(0, 2), n: 2, model, types: ['factual'] });
    expect(set.generator).toBe('stub-writer');
    expect(set.items[0]).toMatchObject({ question: 'How often is the gearbox oil replaced?', reference: 'The oil is replaced every 18 months.', extra: { type: 'factual', language: 'en', generator: 'stub-writer' } });
    expect(set.failures).toBe(1);
    expect(Object.keys(set.rejected).join(' ')).toMatch(/sources state only/);
    expect(requests[0]!.responseFormat).toMatchObject({ type: 'json_schema', name: 'test_question' });
    expect(requests[0]!.messages[0]!.content).toMatch(/in English/);
  });
});
