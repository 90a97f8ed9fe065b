import { describe, expect, it } from 'vitest';
import { chainOfThoughtInstruction, parseChainOfThought } from './chain-of-thought.js';
import { splitThinking } from './think-blocks.js';

describe('chain of thought', () => {
  it('asks for reasoning then an "Answer:" line, in either language', () => {
    expect(chainOfThoughtInstruction()).toContain('"Answer:"');
    expect(chainOfThoughtInstruction({ language: 'zh' })).toContain('答案：');
  });

  it('splits at the last answer marker, tolerating markdown and the full-width colon', () => {
    expect(parseChainOfThought('There are 3 boxes.\nEach holds 4, so the answer: 12?\nAnswer: 12')).toEqual({
      reasoning: 'There are 3 boxes.\nEach holds 4, so the answer: 12?',
      answer: '12',
      separated: true,
    });
    expect(parseChainOfThought('Step 1: add.\n\n**Final Answer:** 42')).toMatchObject({ reasoning: 'Step 1: add.', answer: '42' });
    expect(parseChainOfThought('Step 1.\n**Answer: 42**').answer).toBe('42');
    expect(parseChainOfThought('首先计算 3×4。\n答案：12')).toEqual({ reasoning: '首先计算 3×4。', answer: '12', separated: true });
    expect(parseChainOfThought('推理……\n最终答案： 十二').answer).toBe('十二');
    expect(parseChainOfThought('Reasoning.\r\nanswer : yes').answer).toBe('yes');
  });

  it('treats <think> blocks as reasoning (R1 / Qwen3), including a block opened by the chat template', () => {
    expect(parseChainOfThought('<think>\n3 boxes of 4.\n</think>\n\n12 items.')).toEqual({ reasoning: '3 boxes of 4.', answer: '12 items.', separated: true });
    expect(parseChainOfThought('3 boxes of 4.\n</think>\nAnswer: 12')).toEqual({ reasoning: '3 boxes of 4.', answer: '12', separated: true });
    expect(parseChainOfThought('<think>a</think><think>b</think>Some thought.\nAnswer: c')).toEqual({ reasoning: 'a\n\nb\n\nSome thought.', answer: 'c', separated: true });
  });

  it('says when nothing separated the two, and when a think block was cut off', () => {
    expect(parseChainOfThought('Just 12.')).toEqual({ reasoning: '', answer: 'Just 12.', separated: false });
    expect(parseChainOfThought('<think>counting the boxes, 3 so far')).toEqual({ reasoning: 'counting the boxes, 3 so far', answer: '', separated: false });
    expect(splitThinking('<thinking>x</thinking> y')).toEqual({ thinking: 'x', rest: 'y' });
  });
});
