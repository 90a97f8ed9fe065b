// The built-in tools. Each is a function that takes its limits and returns a Tool.
export { createSearchTool, describeHit, type SearchToolOptions } from './search-tool.js';
export { createCalculatorTool } from './calculator-tool.js';
export { evaluateExpression, formatNumber, CALCULATOR_FUNCTIONS, CALCULATOR_CONSTANTS } from './evaluate-expression.js';
export { createFetchTool, pageText, type FetchToolOptions } from './fetch-tool.js';
export { safeFetch, DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_TIMEOUT_MS, type SafeFetchOptions, type SafeFetchResponse } from './fetch/safe-fetch.js';
export { classifyAddress, type AddressClass, type AddressKind } from './fetch/classify-address.js';
export { createFileReadTool, type FileReadToolOptions } from './file-read-tool.js';
export { createCodeTool, type CodeToolOptions } from './code-tool.js';
export { runSandboxedJavaScript, type SandboxOptions, type SandboxResult } from './sandbox/run-sandboxed-javascript.js';
