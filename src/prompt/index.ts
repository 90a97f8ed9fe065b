// Prompting: templates, few-shot examples, chain-of-thought, the ReAct text protocol, and typed output.
export { PROMPT_LANGUAGES, type PromptLanguage } from './prompt-language.js';
export { fillTemplate, templateVariables, type TemplateVariables } from './fill-template.js';
export { fenceData, DATA_TAG, type DataItem } from './fence-data.js';
export { createPromptTemplate, type PromptTemplate, type PromptTemplateOptions, type RenderPromptOptions } from './prompt-template.js';
export { renderExamples, examplesToMessages, selectExamples, type FewShotExample, type ExampleStyle, type SelectExamplesOptions } from './few-shot.js';
export { splitThinking } from './think-blocks.js';
export { chainOfThoughtInstruction, parseChainOfThought, type ChainOfThought } from './chain-of-thought.js';
export {
  renderReActInstructions,
  parseReActTurn,
  formatObservation,
  REACT_STOP_SEQUENCES,
  type ReActAction,
  type ReActStep,
  type ReActPromptOptions,
  type ParseReActOptions,
} from './react.js';
export { extractJson, type JsonExtraction, type ExtractJsonOptions } from './extract-json.js';
export { isZodSchema, type JsonSchema, type ObjectSchema } from './object-schema.js';
export {
  generateObject,
  rejectsResponseFormat,
  type GenerateObjectOptions,
  type GenerateObjectResult,
  type StructuredOutputMode,
} from './generate-object.js';
