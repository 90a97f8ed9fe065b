/**
 * Encoded payloads: an instruction a filter cannot read but a model can ("decode this base64 and do what it
 * says"). Each candidate is decoded, kept only when the result is readable text, and handed back so the
 * detector can scan it like any other input. ROT13 has no shape to find, so the detector scans the ROT13 of
 * the whole text instead (see `rot13`).
 */

export type PayloadEncoding = 'base64' | 'hex' | 'url' | 'html-entities' | 'unicode-escapes';

export interface DecodedPayload {
  encoding: PayloadEncoding;
  /** The encoded text as found. */
  encoded: string;
  decoded: string;
}

/** Most candidates examined per text, so that a text made of nothing but base64 stays linear. */
const MAX_CANDIDATES = 32;
/** Longest encoded run decoded; longer ones are cut (an instruction fits in far less). */
const MAX_ENCODED = 16_384;

// Each pattern can only start where a run starts (the lookbehinds), so a 10 MB line is scanned once, not once per position.
const BASE64_RE = /(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/_=-])/g;
const HEX_RE = /(?<![0-9a-f])(?:(?:0x)?[0-9a-f]{2}[\s,:]?){8,}(?![0-9a-f])|(?:\\x[0-9a-f]{2}){6,}/gi;
const URL_RE = /(?<!\S)(?:[^\s%]*%[0-9a-f]{2}){4,}[^\s%]*/gi;
const ENTITY_RE = /(?:&#(?:x[0-9a-f]{1,6}|\d{1,7});\s?){4,}/gi;
const UNICODE_ESCAPE_RE = /(?:\\u[0-9a-f]{4}|\\u\{[0-9a-f]{1,6}\}){4,}/gi;

/** Readable: mostly letters, digits, spaces and punctuation, with some letters, and no control characters. */
export function isReadableText(text: string): boolean {
  if (text.length < 4) return false;
  let printable = 0;
  let letters = 0;
  let controls = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 0xfffd || (code < 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) || (code >= 0x7f && code < 0xa0)) controls++;
    else printable++;
    if (/\p{L}/u.test(ch)) letters++;
  }
  const total = printable + controls;
  return controls / total < 0.02 && letters / total > 0.5 && /\s/.test(text.trim()) === true;
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function decodeBase64(run: string): string | undefined {
  // Words that happen to be long and alphanumeric ("internationalization") are not base64: real payloads
  // mix case and usually digits or + /.
  if (!/[A-Z]/.test(run) || !/[a-z]/.test(run)) return undefined;
  const standard = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (standard.length % 4 === 1) return undefined;
  return decodeUtf8(Buffer.from(standard, 'base64'));
}

function decodeHex(run: string): string | undefined {
  const digits = run.replace(/\\x|0x|[\s,:]/gi, '');
  if (digits.length % 2 !== 0) return undefined;
  return decodeUtf8(Buffer.from(digits, 'hex'));
}

function decodeUrl(run: string): string | undefined {
  try {
    return decodeURIComponent(run.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function decodeEntities(run: string): string {
  return run.replace(/&#(x[0-9a-f]{1,6}|\d{1,7});\s?/gi, (_, n: string) => {
    const code = n[0] === 'x' || n[0] === 'X' ? parseInt(n.slice(1), 16) : Number(n);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

function decodeUnicodeEscapes(run: string): string {
  return run.replace(/\\u\{([0-9a-f]{1,6})\}|\\u([0-9a-f]{4})/gi, (_, braced: string | undefined, plain: string | undefined) => {
    const code = parseInt(braced ?? plain ?? '0', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** Finds encoded runs, decodes them and keeps the readable ones; nested encodings are unwrapped up to `depth`. */
export function decodePayloads(options: { text: string; depth?: number }): DecodedPayload[] {
  const out: DecodedPayload[] = [];
  const seen = new Set<string>();
  const visit = (text: string, depth: number) => {
    const decoders: Array<[PayloadEncoding, RegExp, (run: string) => string | undefined]> = [
      ['base64', BASE64_RE, decodeBase64],
      ['hex', HEX_RE, decodeHex],
      ['url', URL_RE, decodeUrl],
      ['html-entities', ENTITY_RE, decodeEntities],
      ['unicode-escapes', UNICODE_ESCAPE_RE, decodeUnicodeEscapes],
    ];
    for (const [encoding, re, decode] of decoders) {
      re.lastIndex = 0;
      let examined = 0;
      for (const match of text.matchAll(re)) {
        if (++examined > MAX_CANDIDATES || out.length >= MAX_CANDIDATES) break;
        const encoded = match[0].trim().slice(0, MAX_ENCODED);
        // The same run can look like two encodings (hex digits are also base64 letters): try each once.
        const key = `${encoding}:${encoded}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const decoded = decode(encoded);
        if (decoded === undefined || decoded === encoded || !isReadableText(decoded)) continue;
        out.push({ encoding, encoded, decoded });
        if (depth > 1) visit(decoded, depth - 1);
      }
    }
  };
  visit(options.text, options.depth ?? 3);
  return out;
}

/** ROT13 of the Latin letters; everything else unchanged. */
export function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** Reversed text ("snoitcurtsni suoiverp lla erongi") is another cheap smuggling trick. */
export function reverseText(text: string): string {
  return [...text].reverse().join('');
}
