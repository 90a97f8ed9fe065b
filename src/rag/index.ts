// Answering questions from retrieved chunks: the Answer structure both paths share, and the extractive path.
export * from './answer.js';
export {
  answerExtractively,
  DEFAULT_ANSWER_CHUNKS,
  DEFAULT_ANSWER_SENTENCES,
  DEFAULT_ANSWER_TOKENS,
  DEFAULT_MIN_RELATIVE_SCORE,
  DEFAULT_EXTRACTIVE_TUNING,
  EXTRACTIVE_NOTE,
  NO_ANSWER_TEXT,
  NO_ANSWER_TEXT_ZH,
  type ExtractiveAnswerOptions,
  type ExtractiveTuning,
} from './extractive-answer.js';
export { answerWithModel, buildAnswerPrompt, type GenerateAnswerOptions } from './generate-answer.js';
export {
  verifyAnswer,
  DEFAULT_SUPPORT_THRESHOLD,
  DEFAULT_EMBEDDING_WEIGHT,
  DEFAULT_EMBEDDING_THRESHOLD,
  DEFAULT_EMBEDDING_RANGE,
  type VerifyAnswerOptions,
} from './verify-citations.js';
export type { FlagReason, SupportPassage, Verification, VerificationMethod, VerificationVerdict, VerifiedSentence } from './verification.js';
export { splitAnswerSentences, type MarkedSentence } from './answer-sentences.js';
export { findNumbers, type NumberMention } from './claim-numbers.js';
