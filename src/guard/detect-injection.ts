import type { EmbeddingModel, LanguageModel } from '../spec/models.js';
import { createUseLiteEmbedder } from '../models/embedders/use-lite-embedder.js';
import { decodePayloads, reverseText, rot13, type DecodedPayload } from './decode-payloads.js';
import type { InjectionVerdict } from './guard-verdict.js';
import { combineEvidence, INJECTION_RULES, matchInjectionRules, type InjectionRule, type RuleMatch } from './injection-rules.js';
import { createInjectionClassifier, DEFAULT_CLASSIFIER_WEIGHTS, type ClassifierWeights, type InjectionClassifier } from './injection-classifier.js';
import { askInjectionJudge } from './llm-judge.js';
import { normalizeInput, ZERO_WIDTH_RE, type NormalizationFinding } from './normalize-input.js';

/** Default decision threshold on the fused score. */
export const DEFAULT_INJECTION_THRESHOLD = 0.5;

/**
 * Weights of the tricks normalisation undid. Hiding text from a reader (tag characters, bidi reordering) is
 * rarely innocent; the others also occur in ordinary text (a zero-width space pasted from a web page, a
 * Greek letter in a formula), so they only add to other evidence.
 */
const FINDING_WEIGHTS: Record<NormalizationFinding['kind'], number> = {
  'tag-characters': 0.6,
  'variation-selectors': 0.35,
  bidi: 0.3,
  'zero-width': 0.15,
  homoglyphs: 0.3,
  'full-width': 0.1,
  'spaced-letters': 0.15,
  leetspeak: 0.15,
};
/** A rule that matched only once a payload was decoded: the encoding was there to hide it. */
const HIDDEN_INSTRUCTION_WEIGHT = 0.35;

export interface RuleLayerResult {
  score: number;
  reasons: string[];
  matches: RuleMatch[];
  findings: NormalizationFinding[];
  payloads: DecodedPayload[];
  /** Text the classifier should also read: decoded payloads and smuggled text, where there are any. */
  hiddenTexts: string[];
}

/**
 * Layers one and two, synchronous and cheap enough for every chunk at ingestion: normalisation (and what it
 * found), then the rules over the skeleton, its un-leeted form, the ROT13 and reversed forms, smuggled
 * tag-character text and every decoded payload.
 */
export function scanInjectionRules(options: {
  text: string;
  rules?: readonly InjectionRule[];
  /** Also scan the ROT13 and the reversal of the text (default true; ingestion skips them for speed). */
  transforms?: boolean;
}): RuleLayerResult {
  const rules = options.rules ?? INJECTION_RULES;
  const normalized = normalizeInput({ text: options.text });
  const direct = matchInjectionRules({ texts: [normalized.skeleton, normalized.unleet], rules });
  const directIds = new Set(direct.map((m) => m.id));

  // Hidden views: each is scanned after normalisation of its own, and a rule that matches only there counts
  // as a hidden instruction.
  // Payloads are case-sensitive (base64): decoded from the text as written, less its invisible characters.
  const payloads = decodePayloads({ text: options.text.normalize('NFKC').replace(ZERO_WIDTH_RE, '') });
  const hiddenTexts = [normalized.smuggled, ...payloads.map((p) => p.decoded)].filter((t) => t.trim() !== '');
  const hiddenViews = hiddenTexts.map((t) => normalizeInput({ text: t }).skeleton);
  // ROT13 and reversal cost a pass each over Latin text; a long document is not going to be one big ROT13.
  const latinHead = normalized.skeleton.slice(0, 20_000);
  const transformed = options.transforms === false ? [] : [rot13(latinHead), reverseText(latinHead)];
  const hidden = matchInjectionRules({ texts: [...hiddenViews, ...transformed], rules }).filter((m) => !directIds.has(m.id));

  const reasons: string[] = [];
  const weights: number[] = [];
  for (const m of direct) {
    weights.push(m.weight);
    reasons.push(`rule ${m.id}: ${m.description} — “${m.excerpt}”`);
  }
  for (const m of hidden) {
    weights.push(m.weight, HIDDEN_INSTRUCTION_WEIGHT);
    reasons.push(`hidden rule ${m.id}: ${m.description}, found only after decoding — “${m.excerpt}”`);
  }
  for (const f of normalized.findings) {
    weights.push(FINDING_WEIGHTS[f.kind]);
    reasons.push(`obfuscation: ${f.kind} (${f.count})`);
  }
  for (const p of payloads.slice(0, 3)) reasons.push(`decoded ${p.encoding} payload: “${p.decoded.slice(0, 60).replace(/\s+/g, ' ')}${p.decoded.length > 60 ? '…' : ''}”`);
  return { score: combineEvidence(weights), reasons, matches: [...direct, ...hidden], findings: normalized.findings, payloads, hiddenTexts };
}

export interface InjectionDetectorOptions {
  /**
   * The classifier layer: `'default'` (the shipped weights over the bundled embedder), trained weights of
   * your own, or `false` for rules only. Default `'default'`.
   */
  classifier?: 'default' | ClassifierWeights | false;
  /** The embedder the classifier reads; default the bundled USE-lite on the calling thread (no workers). */
  embedder?: EmbeddingModel;
  /** An LLM judge, asked when the fused score falls inside `judgeBand`. */
  judge?: LanguageModel;
  /** Scores for which the judge is asked (default [0.2, 0.8]; [0, 1] asks it always). */
  judgeBand?: [number, number];
  /** Flag at or above this fused score (default 0.5). */
  threshold?: number;
  rules?: readonly InjectionRule[];
}

export interface InjectionDetector {
  detect(options: { text: string; signal?: AbortSignal }): Promise<InjectionVerdict>;
  /** Many texts at once: the classifier embeds them in batches. `vectors` skips embedding (benchmarks). */
  detectMany(options: { texts: string[]; vectors?: Float32Array[]; signal?: AbortSignal }): Promise<InjectionVerdict[]>;
  /** Frees the embedder if the detector created it. */
  close(): Promise<void>;
}

/**
 * The prompt-injection and jailbreak detector: normalisation → rules → classifier → optional LLM judge.
 *
 * Score fusion: the rule layer's evidence r (noisy-OR of matched rule weights and obfuscation findings) and
 * the classifier's probability c are independent signals combined as 1 − (1 − r)(1 − c); with no classifier
 * score (rules only, or a language the embedder cannot read) the score is r. When a judge is configured and
 * that score is uncertain (inside `judgeBand`), the judge's probability j is averaged in: (score + j) / 2, so
 * the judge can tip an uncertain case either way but never overrule a strong rule on its own.
 *
 * Never throws: a failing classifier or judge leaves its layer out and says so in the reasons.
 */
export function createInjectionDetector(options: InjectionDetectorOptions = {}): InjectionDetector {
  const threshold = options.threshold ?? DEFAULT_INJECTION_THRESHOLD;
  const [bandLow, bandHigh] = options.judgeBand ?? [0.2, 0.8];
  const weights = options.classifier === false ? undefined : options.classifier === undefined || options.classifier === 'default' ? DEFAULT_CLASSIFIER_WEIGHTS : options.classifier;
  let ownEmbedder: EmbeddingModel | undefined;
  let classifier: InjectionClassifier | undefined;
  let classifierProblem: string | undefined;
  const getClassifier = (): InjectionClassifier | undefined => {
    if (!weights || weights.weights.length === 0) return undefined;
    if (!classifier) {
      const embedder = options.embedder ?? (ownEmbedder = createUseLiteEmbedder({ workers: 0 }));
      if (embedder.id !== weights.embedder || embedder.dimensions !== weights.dimensions) {
        classifierProblem = `classifier skipped: its weights were trained on ${weights.embedder}, not ${embedder.id}`;
        return undefined;
      }
      classifier = createInjectionClassifier({ embedder, weights });
    }
    return classifier;
  };

  const detectMany: InjectionDetector['detectMany'] = async ({ texts, vectors, signal }) => {
    const ruleResults = texts.map((text) => safeRules(text, options.rules));
    let scores: Array<number | null> = texts.map(() => null);
    let problem: string | undefined;
    try {
      const model = getClassifier();
      problem = classifierProblem;
      if (model) {
        // The visible text, without the invisible characters that would only be unknown tokens to the model.
        scores = await model.score({ texts: texts.map((t) => normalizeForClassifier(t)), vectors, signal });
        // Decoded payloads and smuggled text are read too: the classifier should see what the model would.
        const hidden = ruleResults.flatMap((r, i) => r.hiddenTexts.map((t) => ({ i, t })));
        if (hidden.length > 0) {
          const hiddenScores = await model.score({ texts: hidden.map((h) => h.t), signal });
          hidden.forEach((h, k) => {
            const s = hiddenScores[k];
            if (s !== null && s !== undefined && (scores[h.i] === null || s > scores[h.i]!)) scores[h.i] = s;
          });
        }
      }
    } catch (error) {
      problem = `classifier failed: ${(error as Error)?.message ?? String(error)}`;
      scores = texts.map(() => null);
    }
    const verdicts: InjectionVerdict[] = [];
    for (let i = 0; i < texts.length; i++) {
      const rules = ruleResults[i]!;
      const c = scores[i] ?? null;
      let score = c === null ? rules.score : 1 - (1 - rules.score) * (1 - c);
      const reasons = [...rules.reasons];
      if (c !== null && c >= 0.5) reasons.push(`classifier: ${(c * 100).toFixed(0)}% like the jailbreaks it was trained on`);
      if (problem) reasons.push(problem);
      let judgeScore: number | null = null;
      if (options.judge && score >= bandLow && score <= bandHigh) {
        const opinion = await askInjectionJudge({ model: options.judge, text: texts[i]!, signal });
        if (opinion) {
          judgeScore = opinion.probability;
          score = (score + judgeScore) / 2;
          reasons.push(`judge (${options.judge.id}): ${(judgeScore * 100).toFixed(0)}% — ${opinion.reason}`);
        } else reasons.push(`judge (${options.judge.id}) gave no usable answer`);
      }
      score = Math.round(score * 1000) / 1000;
      const flagged = score >= threshold;
      verdicts.push({ flagged, score, reasons: flagged || rules.reasons.length > 0 ? reasons : reasons.filter((r) => !r.startsWith('classifier:')), layers: { rules: round(rules.score), classifier: c === null ? null : round(c), judge: judgeScore === null ? null : round(judgeScore) } });
    }
    return verdicts;
  };

  return {
    detectMany,
    detect: async ({ text, signal }) => (await detectMany({ texts: [text], signal }))[0]!,
    close: async () => {
      await ownEmbedder?.close?.();
      ownEmbedder = undefined;
      classifier = undefined;
    },
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function normalizeForClassifier(text: string): string {
  return normalizeInput({ text }).skeleton;
}

function safeRules(text: unknown, rules?: readonly InjectionRule[], transforms?: boolean): RuleLayerResult {
  try {
    return scanInjectionRules({ text: typeof text === 'string' ? text : String(text ?? ''), rules, transforms });
  } catch (error) {
    return { score: 0, reasons: [`rules failed: ${(error as Error)?.message ?? String(error)}`], matches: [], findings: [], payloads: [], hiddenTexts: [] };
  }
}

/** Rules and normalisation only, synchronous: for hot paths such as ingestion. Never throws. */
export function detectInjectionByRules(options: { text: string; threshold?: number; rules?: readonly InjectionRule[]; transforms?: boolean }): InjectionVerdict {
  const r = safeRules(options.text, options.rules, options.transforms);
  const score = round(r.score);
  return { flagged: score >= (options.threshold ?? DEFAULT_INJECTION_THRESHOLD), score, reasons: r.reasons, layers: { rules: score, classifier: null, judge: null } };
}
