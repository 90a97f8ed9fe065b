// Guards against prompt injection, jailbreaks and leaks; `redteam/` probes them (see docs/guard.md).
export type { GuardVerdict, InjectionVerdict, DetectorLayers } from './guard-verdict.js';
export { normalizeInput, ZERO_WIDTH_RE, BIDI_RE, type NormalizedInput, type NormalizationFinding } from './normalize-input.js';
export { foldConfusables, CONFUSABLES } from './confusables.js';
export { decodePayloads, rot13, reverseText, isReadableText, type DecodedPayload, type PayloadEncoding } from './decode-payloads.js';
export { INJECTION_RULES, matchInjectionRules, combineEvidence, type InjectionRule, type RuleMatch } from './injection-rules.js';
export { trainLogistic, predictLogistic, sigmoid, type LogisticModel, type TrainLogisticOptions } from './logistic-regression.js';
export {
  createInjectionClassifier,
  classifierFeatures,
  DEFAULT_CLASSIFIER_WEIGHTS,
  type ClassifierWeights,
  type InjectionClassifier,
} from './injection-classifier.js';
export { askInjectionJudge, type JudgeOpinion } from './llm-judge.js';
export {
  createInjectionDetector,
  detectInjectionByRules,
  scanInjectionRules,
  DEFAULT_INJECTION_THRESHOLD,
  type InjectionDetector,
  type InjectionDetectorOptions,
  type RuleLayerResult,
} from './detect-injection.js';
export { createCanary, embedCanary, findCanary, type Canary } from './canary.js';
export {
  findSensitiveData,
  redactSensitiveData,
  redact,
  luhnValid,
  ibanValid,
  chineseResidentIdValid,
  SECRET_KINDS,
  PII_KINDS,
  type SensitiveKind,
  type SensitiveMatch,
  type RedactOptions,
} from './sensitive-data.js';
export { stripUntrustedUrls, isAllowedHost, escapeHtml, type StrippedUrl, type StripUrlsOptions } from './sanitize-output.js';
export { validateToolArguments, type ToolArgumentsCheck } from './validate-tool-arguments.js';
export { withGuard, DEFAULT_REFUSAL, type GuardOptions, type GuardEvent } from './with-guard.js';
export { findHiddenHtmlText, type HiddenHtmlText } from './scan-hidden-html.js';
export { flagChunkText, flagDocumentChunks, type ChunkFlag, type FlagChunksResult } from './flag-chunks.js';
export { guardHits, type GuardHitsOptions, type GuardHitsResult } from './guard-hits.js';
