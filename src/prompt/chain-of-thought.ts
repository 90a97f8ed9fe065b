import { promptLanguage, type PromptLanguage } from './prompt-language.js';
import { splitThinking } from './think-blocks.js';

const INSTRUCTIONS: Record<PromptLanguage, string> = {
  en: 'Think step by step: first write out your reasoning, then give the final answer on a new line that starts with "Answer:".',
  zh: '请一步一步地思考：先写出推理过程，最后另起一行，以“答案：”开头给出最终答案。',
};

/** The chain-of-thought output format, for a template's outputFormat or a system prompt. */
export function chainOfThoughtInstruction(options: { language?: PromptLanguage } = {}): string {
  return INSTRUCTIONS[promptLanguage(options.language)];
}

export interface ChainOfThought {
  reasoning: string;
  answer: string;
  /**
   * Whether an answer marker or a closed think block told the two apart. False means neither was there and
   * the whole reply is `answer` — the caller decides whether to trust it or ask again.
   */
  separated: boolean;
}

// At a line start, after optional markdown ("**", "#", "- ", "> "), in either language, with ":" or "：".
const ANSWER_MARKER = /^[ \t>*#_-]*(?:final answer|answer|最终答案|最终回答|答案|答)[ \t*_]*[:：][ \t*_]*/gim;

/**
 * Splits a chain-of-thought reply into reasoning and final answer. The last "Answer:" line wins, since
 * reasoning often says "answer:" along the way; `<think>` blocks count as reasoning. English and Chinese
 * markers are both accepted whatever language the prompt asked in, as small models switch languages.
 */
export function parseChainOfThought(text: string): ChainOfThought {
  const { thinking, rest } = splitThinking(text.replace(/\r\n?/g, '\n'));
  let last: RegExpExecArray | undefined;
  for (const m of rest.matchAll(ANSWER_MARKER)) last = m as RegExpExecArray;
  if (last) {
    const before = rest.slice(0, last.index).trim();
    let answer = rest.slice(last.index + last[0].length).trim();
    // "**Answer: 42**" leaves the closing bold behind.
    if (answer.endsWith('**') && answer.indexOf('**') === answer.length - 2) answer = answer.slice(0, -2).trim();
    return { reasoning: [thinking, before].filter(Boolean).join('\n\n'), answer, separated: true };
  }
  const hadBlock = thinking !== '' || /<\/(think|thinking|reasoning)>/i.test(text);
  return { reasoning: thinking, answer: rest, separated: hadBlock && rest !== '' };
}
