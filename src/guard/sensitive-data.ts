/**
 * Secrets and personal data in text: what must not leave through a model's output, be sent to a remote
 * model in a prompt, or be written into a trace. Each detector is a pattern plus, where the format has one,
 * its checksum (Luhn for payment cards, mod 97 for IBANs, ISO 7064 for Chinese resident IDs), so that an
 * order number that happens to have sixteen digits is not reported as a card.
 */

export type SensitiveKind =
  | 'private-key'
  | 'aws-access-key'
  | 'aws-secret-key'
  | 'github-token'
  | 'openai-key'
  | 'anthropic-key'
  | 'google-api-key'
  | 'slack-token'
  | 'stripe-key'
  | 'huggingface-token'
  | 'jwt'
  | 'bearer-token'
  | 'email'
  | 'phone'
  | 'cn-mobile'
  | 'cn-resident-id'
  | 'payment-card'
  | 'iban';

export const SECRET_KINDS: readonly SensitiveKind[] = [
  'private-key',
  'aws-access-key',
  'aws-secret-key',
  'github-token',
  'openai-key',
  'anthropic-key',
  'google-api-key',
  'slack-token',
  'stripe-key',
  'huggingface-token',
  'jwt',
  'bearer-token',
];
export const PII_KINDS: readonly SensitiveKind[] = ['email', 'phone', 'cn-mobile', 'cn-resident-id', 'payment-card', 'iban'];

export interface SensitiveMatch {
  kind: SensitiveKind;
  category: 'secret' | 'pii';
  start: number;
  end: number;
  value: string;
}

interface Detector {
  kind: SensitiveKind;
  pattern: RegExp;
  /** Checks a candidate beyond its shape (a checksum); it receives the match as written, separators included. */
  valid?: (value: string) => boolean;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Issuer prefixes of the card networks: Luhn alone passes one random number in ten. */
function cardIssuer(digits: string): boolean {
  return /^(?:4\d{12}(?:\d{3}){0,2}|5[1-5]\d{14}|2(?:2[2-9]|[3-6]\d|7[01])\d{12}|2720\d{12}|3[47]\d{13}|3(?:0[0-5]|[68]\d)\d{11,16}|6(?:011|5\d{2}|4[4-9]\d)\d{12,15}|35(?:2[89]|[3-8]\d)\d{12,15}|62\d{14,17})$/.test(digits);
}

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22,
  DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21,
  HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27,
  MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

export function ibanValid(raw: string): boolean {
  const iban = raw.replace(/[\s-]/g, '').toUpperCase();
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected === undefined || iban.length !== expected || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643: 6-digit region, 8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check character. */
export function chineseResidentIdValid(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

const DETECTORS: Detector[] = [
  { kind: 'private-key', pattern: /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,10000}?-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----|-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/g },
  { kind: 'aws-access-key', pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])/g },
  { kind: 'aws-secret-key', pattern: /(?<=aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi },
  { kind: 'github-token', pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g },
  { kind: 'anthropic-key', pattern: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,200}(?![A-Za-z0-9_-])/g },
  { kind: 'openai-key', pattern: /(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}(?![A-Za-z0-9_-])/g },
  { kind: 'google-api-key', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g },
  { kind: 'slack-token', pattern: /(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,200}(?![A-Za-z0-9-])/g },
  { kind: 'stripe-key', pattern: /(?<![A-Za-z0-9_])(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,200}(?![A-Za-z0-9_])/g },
  { kind: 'huggingface-token', pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z]{34,40}(?![A-Za-z0-9_])/g },
  { kind: 'jwt', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,4000}\.eyJ[A-Za-z0-9_-]{5,8000}\.[A-Za-z0-9_-]{10,4000}(?![A-Za-z0-9_-])/g },
  { kind: 'bearer-token', pattern: /(?<=\bBearer\s{1,4})[A-Za-z0-9._~+/-]{20,2000}=*(?![A-Za-z0-9._~+/=-])/g },
  { kind: 'email', pattern: /(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w-])/g },
  { kind: 'cn-resident-id', pattern: /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g, valid: chineseResidentIdValid },
  { kind: 'cn-mobile', pattern: /(?<![\d+])(?:(?:\+|00)86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g },
  {
    kind: 'payment-card',
    pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
    valid: (value) => {
      const digits = value.replace(/\D/g, '');
      return cardIssuer(digits) && luhnValid(digits);
    },
  },
  { kind: 'iban', pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g, valid: ibanValid },
  // International (+country) and North American numbers; Chinese mobiles have their own detector above.
  { kind: 'phone', pattern: /(?<![\w+])(?:\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){2,4}|\(\d{3}\)\s?\d{3}[\s.-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])/g },
];

const SECRET_SET = new Set(SECRET_KINDS);

/**
 * Every secret and piece of personal data in the text, left to right, without overlaps (an earlier detector
 * in the list wins: a private key block is reported once, not as the tokens inside it).
 */
export function findSensitiveData(options: { text: string; kinds?: readonly SensitiveKind[] }): SensitiveMatch[] {
  const wanted = options.kinds ? new Set(options.kinds) : undefined;
  const found: SensitiveMatch[] = [];
  const taken: Array<[number, number]> = [];
  const overlaps = (start: number, end: number) => taken.some(([s, e]) => start < e && end > s);
  for (const detector of DETECTORS) {
    if (wanted && !wanted.has(detector.kind)) continue;
    detector.pattern.lastIndex = 0;
    for (const match of options.text.matchAll(detector.pattern)) {
      const value = match[0];
      const start = match.index ?? 0;
      const end = start + value.length;
      if (detector.valid && !detector.valid(value)) continue;
      if (overlaps(start, end)) continue;
      taken.push([start, end]);
      found.push({ kind: detector.kind, category: SECRET_SET.has(detector.kind) ? 'secret' : 'pii', start, end, value });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

export interface RedactOptions {
  text: string;
  kinds?: readonly SensitiveKind[];
  /** What replaces a match (default `[REDACTED:kind]`). */
  replacement?: (match: SensitiveMatch) => string;
}

/** Replaces each secret and piece of personal data; returns the new text and what was replaced. */
export function redactSensitiveData(options: RedactOptions): { text: string; matches: SensitiveMatch[] } {
  const matches = findSensitiveData(options);
  if (matches.length === 0) return { text: options.text, matches };
  const replace = options.replacement ?? ((m: SensitiveMatch) => `[REDACTED:${m.kind}]`);
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += options.text.slice(at, m.start) + replace(m);
    at = m.end;
  }
  return { text: out + options.text.slice(at), matches };
}

/**
 * `redact(text)`: every secret and piece of personal data replaced by `[REDACTED:kind]`. The one-argument
 * form is what a trace exporter or logger plugs in as its scrubber. Never throws: a non-string comes back
 * as it was.
 */
export function redact(text: string): string {
  if (typeof text !== 'string') return text;
  try {
    return redactSensitiveData({ text }).text;
  } catch {
    return text;
  }
}
