import { describe, expect, it } from 'vitest';
import { examplesToMessages, renderExamples, selectExamples } from './few-shot.js';

const pool = [
  { input: 'How do I reset the router password?', output: 'Hold the reset button for 10 seconds.' },
  { input: 'What is the warranty period for the gearbox?', output: 'Two years.' },
  { input: 'How often should the gearbox oil be changed?', output: 'Every 18 months.' },
  { input: 'Can I return a product after 30 days?', output: 'No.' },
  { input: '齿轮箱的保修期是多久？', output: '两年。' },
  { input: '路由器密码怎么重置？', output: '按住重置键10秒。' },
];

describe('few-shot examples', () => {
  it('picks the k examples sharing the most (rare) words with the input, in the pool order', () => {
    expect(selectExamples({ examples: pool, input: 'gearbox oil change interval', k: 2 }).map((e) => e.output)).toEqual(['Two years.', 'Every 18 months.']);
    expect(selectExamples({ examples: pool, input: 'gearbox oil change interval', k: 1 }).map((e) => e.output)).toEqual(['Every 18 months.']);
    expect(selectExamples({ examples: pool, input: 'reset my router', k: 1 })[0]!.output).toBe('Hold the reset button for 10 seconds.');
  });

  it('segments Chinese inputs to compare them', () => {
    expect(selectExamples({ examples: pool, input: '路由器的密码忘了', k: 1 })[0]!.output).toBe('按住重置键10秒。');
    expect(selectExamples({ examples: pool, input: '齿轮箱保修', k: 1 })[0]!.output).toBe('两年。');
  });

  it('handles zero-shot, k beyond the pool, and no overlap at all', () => {
    expect(selectExamples({ examples: pool, input: 'anything', k: 0 })).toEqual([]);
    expect(selectExamples({ examples: pool, input: 'anything', k: 10 })).toEqual(pool);
    expect(selectExamples({ examples: pool, input: 'zebra xylophone', k: 2 })).toEqual(pool.slice(0, 2));
    expect(renderExamples({ examples: [] })).toBe('');
  });

  it('renders inline in either language, multi-line values starting on their own line', () => {
    expect(renderExamples({ examples: [{ input: 'a\nb', output: 'c' }] })).toBe('Example 1\nInput:\na\nb\nOutput: c');
    expect(renderExamples({ examples: [pool[4]!], language: 'zh' })).toBe('示例 1\n输入： 齿轮箱的保修期是多久？\n输出： 两年。');
    expect(examplesToMessages({ examples: [pool[1]!] })).toEqual([
      { role: 'user', content: 'What is the warranty period for the gearbox?' },
      { role: 'assistant', content: 'Two years.' },
    ]);
  });
});
