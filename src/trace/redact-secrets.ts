/**
 * Patterns for what should not sit in a trace that may be shipped to a collector: e-mail addresses, API keys
 * and tokens in the shapes providers issue them, `key=value` secrets, and long runs of digits (card, phone
 * and identity numbers). Deliberately simple and fast: a guard with real PII detection can replace it
 * through `startTracing({ redact })`.
 */
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '[email]'],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/-]{8,}=*/gi, '$1 [secret]'],
  // OpenAI / Anthropic (sk-, sk-ant-), GitHub, Slack, AWS, Google, GitLab, Hugging Face keys; JWTs.
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, '[secret]'],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, '[secret]'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, '[secret]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[secret]'],
  [/\bAIza[0-9A-Za-z_-]{35}/g, '[secret]'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/g, '[secret]'],
  [/\bhf_[A-Za-z0-9]{30,}/g, '[secret]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[secret]'],
  [/\b((?:api[_-]?key|secret|token|password|passwd|pwd|access[_-]?key)["']?\s*[:=]\s*)(["']?)[^\s"',;]{6,}\2/gi, '$1[secret]'],
  // Nine or more digits, possibly grouped by single spaces or dashes (a Chinese ID may end in X); not a
  // decimal fraction or part of a word.
  [/(?<![\w.])\d(?:[ -]?\d){8,}[Xx]?(?![\w.])/g, '[number]'],
];

/** The built-in redactor: masks e-mails, API keys and tokens, secrets in `key=value` form and long digit runs. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
