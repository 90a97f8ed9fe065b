import type { ChatMessage } from '../spec/models.js';
import { analyze } from '../text/analyze.js';
import { promptLanguage, type PromptLanguage } from './prompt-language.js';

/** One worked example: an input and the output the model should give for it. */
export interface FewShotExample {
  input: string;
  output: string;
}

/** 'inline': an examples section inside the prompt; 'messages': alternating user/assistant turns before the real one. */
export type ExampleStyle = 'inline' | 'messages';

const LABELS: Record<PromptLanguage, { example: string; input: string; output: string }> = {
  en: { example: 'Example', input: 'Input:', output: 'Output:' },
  zh: { example: '示例', input: '输入：', output: '输出：' },
};

/** Multi-line values start on their own line, so the label does not run into the first line of a table or code. */
const labelled = (label: string, value: string) => (value.includes('\n') ? `${label}\n${value}` : `${label} ${value}`);

/** The inline form: numbered examples with Input/Output labels in the prompt's language. Empty for zero-shot. */
export function renderExamples(options: { examples: readonly FewShotExample[]; language?: PromptLanguage }): string {
  const labels = LABELS[promptLanguage(options.language)];
  return options.examples
    .map((e, i) => `${labels.example} ${i + 1}\n${labelled(labels.input, e.input)}\n${labelled(labels.output, e.output)}`)
    .join('\n\n');
}

/**
 * The message form: each example as a user turn and the assistant's reply. Chat models imitate their own
 * earlier turns more faithfully than a described example, so this suits strict output formats.
 */
export function examplesToMessages(options: { examples: readonly FewShotExample[] }): ChatMessage[] {
  return options.examples.flatMap((e): ChatMessage[] => [
    { role: 'user', content: e.input },
    { role: 'assistant', content: e.output },
  ]);
}

export interface SelectExamplesOptions {
  examples: readonly FewShotExample[];
  /** The input the prompt is for. */
  input: string;
  /** How many to keep. */
  k: number;
}

/**
 * The k examples whose inputs share the most words with `input` (the shared analyser, so Chinese is
 * segmented and English stemmed), each shared word weighted by how rare it is in the pool: two examples
 * both containing "the" are not alike, two containing "gearbox" are. Cosine over those weights, so long
 * examples do not win by length. The chosen ones keep the pool's order, so an author's ordering (easy to
 * hard, say) survives; ties and a pool with no overlap at all fall back to that order too.
 */
export function selectExamples(options: SelectExamplesOptions): FewShotExample[] {
  const { examples, input } = options;
  const k = Math.max(0, Math.floor(options.k));
  if (k === 0) return [];
  if (k >= examples.length) return [...examples];

  const termSets = examples.map((e) => new Set(analyze(e.input)));
  const documentFrequency = new Map<string, number>();
  for (const terms of termSets) for (const t of terms) documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + (examples.length + 1) / ((documentFrequency.get(t) ?? 0) + 0.5));
  const norm = (terms: Set<string>) => Math.sqrt([...terms].reduce((sum, t) => sum + idf(t) ** 2, 0));

  const query = new Set(analyze(input));
  const queryNorm = norm(query);
  const scored = termSets.map((terms, index) => {
    let dot = 0;
    for (const t of terms) if (query.has(t)) dot += idf(t) ** 2;
    const denominator = queryNorm * norm(terms);
    return { index, score: denominator > 0 ? dot / denominator : 0 };
  });
  const chosen = scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, k)
    .map((s) => s.index)
    .sort((a, b) => a - b);
  return chosen.map((i) => examples[i]!);
}
