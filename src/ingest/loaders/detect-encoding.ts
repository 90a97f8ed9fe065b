import chardet from 'chardet';
import iconv from 'iconv-lite';
import { LoreError } from '../../spec/errors.js';

/**
 * Turns a text file's bytes into a string without ever storing mojibake silently: a BOM or valid UTF-8 is
 * trusted, UTF-16 without a BOM is recognised by its NUL bytes, and anything else is a guess between the
 * encodings chardet proposes plus GB18030 and Big5, scored on how plausible each decoding looks. A guess is
 * reported as a warning; a decoding that still has replacement or control characters is an error.
 */

export interface DecodeTextOptions {
  bytes: Uint8Array;
  /** The file name or URL, for messages. */
  source: string;
  /** Forces an encoding (any name iconv-lite knows, e.g. `gbk`, `big5`, `latin1`, `utf-16le`). */
  encoding?: string;
}

export interface DecodedText {
  /** The text, without a BOM, with `\n` line ends. */
  text: string;
  /** The encoding used, lower case (`utf-8`, `utf-16le`, `gb18030`, `big5`, `windows-1252`, …). */
  encoding: string;
  warnings: string[];
}

const ENCODING_HINT = 'pass the right one with --encoding (e.g. --encoding gbk, big5, latin1, utf-16le)';
/** Enough bytes to judge a file by; sniffing the whole of a large file gains nothing. */
const SAMPLE_BYTES = 64 * 1024;

export function decodeText({ bytes, source, encoding }: DecodeTextOptions): DecodedText {
  if (bytes.length === 0) throw emptyFile(source);
  const decoded = encoding === undefined ? detectAndDecode(bytes, source) : decodeForced(bytes, source, encoding);
  const text = normalizeNewlines({ text: decoded.text.replace(/^\ufeff/, '') });
  const warnings = [...decoded.warnings];
  checkDecoded({
    text,
    source,
    encoding: decoded.encoding,
    forced: encoding !== undefined,
    validUnicode: decoded.validUnicode === true,
    warnings,
  });
  if (text.trim() === '') throw emptyFile(source);
  return { text, encoding: decoded.encoding, warnings };
}

/** Splitters and offsets see one kind of line end. */
export function normalizeNewlines({ text }: { text: string }): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

interface Decoding {
  text: string;
  encoding: string;
  warnings: string[];
  /** Decoded by a validating Unicode decoder: a U+FFFD in the text was in the file, not made by us. */
  validUnicode?: boolean;
}

function decodeForced(bytes: Uint8Array, source: string, requested: string): Decoding {
  const name = canonicalEncoding(requested);
  if (!iconv.encodingExists(name)) {
    throw new LoreError({
      code: 'INVALID_ARGUMENT',
      message: `Unknown encoding "${requested}"`,
      hint: 'use a name such as utf-8, gbk, gb18030, big5, shift_jis, latin1 or utf-16le',
      subject: source,
    });
  }
  return { text: iconv.decode(Buffer.from(bytes), name), encoding: name, warnings: [] };
}

function detectAndDecode(bytes: Uint8Array, source: string): Decoding {
  const bom = decodeWithBom(bytes, source);
  if (bom) return bom;

  const sample = bytes.subarray(0, SAMPLE_BYTES);
  const utf16 = sniffUtf16(sample);
  if (utf16) {
    const text = decodeStrict(bytes, utf16);
    // NULs at one parity but not a sane UTF-16 text: some binary format.
    if (text === undefined || controlRatio(text) > 0.01) throw binaryFile(source);
    return { text, encoding: utf16, warnings: [], validUnicode: true };
  }
  if (looksBinary(sample)) throw binaryFile(source);

  const utf8 = decodeStrict(bytes, 'utf-8');
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8', warnings: [], validUnicode: true };

  const guess = guessLegacyEncoding(bytes, sample);
  if (!guess) {
    throw new LoreError({
      code: 'ENCODING_ERROR',
      message: `Could not determine the text encoding of ${source}`,
      hint: ENCODING_HINT,
      subject: source,
    });
  }
  return {
    text: guess.text,
    encoding: guess.encoding,
    warnings: [`${source}: not UTF-8; decoded as ${guess.encoding} (a guess; if the text looks wrong, ${ENCODING_HINT})`],
  };
}

function decodeWithBom(bytes: Uint8Array, source: string): Decoding | undefined {
  const [b0, b1, b2, b3] = bytes;
  let encoding: string | undefined;
  let skip = 0;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) [encoding, skip] = ['utf-8', 3];
  // UTF-32 first: its LE BOM starts with the UTF-16 LE one.
  else if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) [encoding, skip] = ['utf-32le', 4];
  else if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) [encoding, skip] = ['utf-32be', 4];
  else if (b0 === 0xff && b1 === 0xfe) [encoding, skip] = ['utf-16le', 2];
  else if (b0 === 0xfe && b1 === 0xff) [encoding, skip] = ['utf-16be', 2];
  if (encoding === undefined) return undefined;

  const body = bytes.subarray(skip);
  if (body.length === 0) throw emptyFile(source);
  const text = encoding.startsWith('utf-32') ? iconv.decode(Buffer.from(body), encoding) : decodeStrict(body, encoding);
  if (text === undefined) {
    throw new LoreError({
      code: 'ENCODING_ERROR',
      message: `${source} starts with a ${encoding.toUpperCase()} byte-order mark but is not valid ${encoding.toUpperCase()}`,
      hint: ENCODING_HINT,
      subject: source,
    });
  }
  return { text, encoding, warnings: [], validUnicode: true };
}

/** `undefined` when the bytes are not valid in that encoding (TextDecoder knows UTF-8 and UTF-16). */
function decodeStrict(bytes: Uint8Array, encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * UTF-16 without a BOM. ASCII characters (spaces, newlines, digits) carry a NUL high byte, so in mostly-ASCII
 * text the NULs cluster at odd offsets (little-endian) or even ones (big-endian). Chinese text has few of
 * those (and U+xx00 characters such as 一 put NULs at the other parity), so there both byte orders are
 * decoded and the one that yields ordinary characters wins. Chinese text with no ASCII at all has no NULs
 * and is not recognised; such a file needs a BOM or --encoding.
 */
function sniffUtf16(sample: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const units = Math.floor(sample.length / 2);
  let highNul = 0; // little-endian reading: high byte (odd offset) is 0
  let lowNul = 0;
  let asciiPairs = 0;
  let other = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    const a = sample[i]!;
    const b = sample[i + 1]!;
    if (b === 0) highNul++;
    if (a === 0) lowNul++;
    if (a === 0 || b === 0) continue;
    other++;
    if (a >= 0x20 && a < 0x7f && b >= 0x20 && b < 0x7f) asciiPairs++;
  }
  const nuls = highNul + lowNul;
  if (nuls === 0) return undefined;
  if (highNul >= nuls * 0.9 && highNul >= units * 0.1) return 'utf-16le';
  if (lowNul >= nuls * 0.9 && lowNul >= units * 0.1) return 'utf-16be';
  // 8-bit text with a stray NUL reads, as UTF-16, as units of two printable ASCII bytes; real CJK rarely does.
  if (asciiPairs >= other * 0.5) return undefined;
  const even = sample.subarray(0, units * 2);
  const le = ordinaryRatio(decodeStrict(even, 'utf-16le'));
  const be = ordinaryRatio(decodeStrict(even, 'utf-16be'));
  if (Math.max(le, be) < 0.9) return undefined;
  return le >= be ? 'utf-16le' : 'utf-16be';
}

/** Share of characters from the common blocks: ASCII, Latin, CJK ideographs and punctuation, kana. Hangul is
 * left out on purpose: byte-swapped Chinese lands there. */
function ordinaryRatio(text: string | undefined): number {
  if (!text) return 0;
  const ordinary = text.match(/[\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u206f\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/g)?.length ?? 0;
  return ordinary / text.length;
}

/** NUL bytes, or many C0 control bytes, mean a binary file; text encodings other than UTF-16/32 have neither. */
function looksBinary(sample: Uint8Array): boolean {
  let controls = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (isControlByte(byte)) controls++;
  }
  return controls > Math.max(8, sample.length * 0.05);
}

function isControlByte(byte: number): boolean {
  // Tab, LF, VT, FF, CR and ESC (ANSI colours in logs) occur in text.
  return (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0b && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) || byte === 0x7f;
}

const CONTROL_CHARS = /[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]/g;

function countControls(text: string): number {
  return text.match(CONTROL_CHARS)?.length ?? 0;
}

function controlRatio(text: string): number {
  return text.length === 0 ? 0 : countControls(text) / text.length;
}

interface CheckDecodedOptions {
  text: string;
  source: string;
  encoding: string;
  forced: boolean;
  validUnicode: boolean;
  warnings: string[];
}

/** The last gate: replacement characters or many control characters mean the decoding is wrong. */
function checkDecoded({ text, source, encoding, forced, validUnicode, warnings }: CheckDecodedOptions): void {
  let replacements = text.match(/\ufffd/g)?.length ?? 0;
  if (replacements > 0 && validUnicode) {
    // The file itself holds U+FFFD (damaged by an earlier conversion): not our decoding error, but say so.
    warnings.push(`${source}: contains ${replacements} U+FFFD replacement character(s); part of the text was lost before it reached Lore`);
    replacements = 0;
  }
  const controls = countControls(text);
  if (replacements === 0 && controls <= Math.max(2, text.length * 0.005)) return;
  const what =
    replacements > 0
      ? `${replacements} undecodable byte sequence${replacements === 1 ? '' : 's'}`
      : `${controls} control characters`;
  throw new LoreError({
    code: 'ENCODING_ERROR',
    message: `${source} does not decode cleanly as ${encoding} (${what})`,
    hint: forced ? 'try another --encoding' : ENCODING_HINT,
    subject: source,
  });
}

/** Names people use for encodings whose better-defined superset iconv-lite also knows. */
function canonicalEncoding(name: string): string {
  const lower = name.trim().toLowerCase().replace(/_/g, '-');
  switch (lower) {
    // GB2312 and GBK are subsets of GB18030; decoding with the superset never loses characters.
    case 'gb2312':
    case 'gbk':
    case 'cp936':
    case 'euc-cn':
    case 'x-gbk':
    case 'gb18030':
      return 'gb18030';
    // Browsers treat Latin-1 labels as windows-1252, which gives 0x80–0x9F printable meanings (“ ” €).
    case 'iso-8859-1':
    case 'latin1':
    case 'latin-1':
    case 'us-ascii':
    case 'ascii':
      return 'windows-1252';
    case 'big5':
    case 'big5-hkscs':
    case 'cp950':
      return 'big5';
    case 'utf8':
      return 'utf-8';
    case 'shift-jis':
    case 'sjis':
      return 'shift_jis';
    default:
      return lower;
  }
}

interface Candidate {
  encoding: string;
  /** chardet's confidence, 0–100; 0 for the candidates added here. */
  confidence: number;
}

const MULTIBYTE_CJK = new Set(['gb18030', 'big5', 'shift_jis', 'euc-jp', 'euc-kr']);

function guessLegacyEncoding(bytes: Uint8Array, sample: Uint8Array): { text: string; encoding: string } | undefined {
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const push = (encoding: string, confidence: number): void => {
    if (seen.has(encoding) || !iconv.encodingExists(encoding)) return;
    seen.add(encoding);
    candidates.push({ encoding, confidence });
  };
  // Low confidences included: for Cyrillic, chardet's right answer can come third at 5.
  for (const match of chardet.analyse(sample).slice(0, 6)) push(canonicalEncoding(match.name), match.confidence);
  // chardet misjudges short Chinese texts (a Big5 sentence comes back as ISO-8859-1 at 98), so the two
  // Chinese encodings always compete, scored by how common the characters they produce are.
  push('gb18030', 0);
  push('big5', 0);
  push('windows-1252', 0);

  let best: { encoding: string; score: number } | undefined;
  for (const candidate of candidates) {
    const text = iconv.decode(Buffer.from(sample), candidate.encoding);
    const score = plausibility(sample, text, candidate) + candidate.confidence / 1_000;
    // Near-ties go to the most common encodings of their kind, then to chardet's order (a strict `>`
    // keeps the earlier candidate): GB18030 among Chinese, windows-1252 among single-byte ones.
    const bonus = candidate.encoding === 'gb18030' ? 0.02 : candidate.encoding === 'windows-1252' ? 0.03 : 0;
    if (!best || score + bonus > best.score) best = { encoding: candidate.encoding, score: score + bonus };
  }
  if (!best || best.score < 0) return undefined;
  return { text: iconv.decode(Buffer.from(bytes), best.encoding), encoding: best.encoding };
}

/**
 * How much a decoding looks like real text, about 0–1; below 0 when it produced replacement or control
 * characters. Chinese encodings are judged on the bytes: the GB2312 level-1 block (the 3,755 common hanzi)
 * and Big5 level 1 (5,401 common characters) hold nearly all of ordinary text, and each encoding's common
 * block is rare territory for the other. Single-byte encodings are judged by their accented letters
 * touching ASCII letters ("café"), as mojibake comes in runs ("ÄãºÃ").
 */
function plausibility(sample: Uint8Array, text: string, candidate: Candidate): number {
  // A sample cut mid-character leaves one bad sequence at its end; ignore the last few characters.
  const body = text.length > 4 ? text.slice(0, -2) : text;
  if (body.includes('\ufffd') || countControls(body) > 0) return -1;
  switch (candidate.encoding) {
    case 'gb18030':
      return commonPairRatio(sample, isCommonGb);
    case 'big5':
      return commonPairRatio(sample, isCommonBig5);
    default:
      if (MULTIBYTE_CJK.has(candidate.encoding) || candidate.encoding.startsWith('utf-')) return candidate.confidence / 100;
      return Math.max(latinLetterScore(body), (0.6 * candidate.confidence) / 100);
  }
}

function commonPairRatio(sample: Uint8Array, isCommon: (lead: number, trail: number) => boolean): number {
  let pairs = 0;
  let common = 0;
  for (let i = 0; i < sample.length; i++) {
    const lead = sample[i]!;
    if (lead < 0x80) continue;
    const trail = sample[i + 1];
    if (trail === undefined) break;
    pairs++;
    if (isCommon(lead, trail)) common++;
    i++;
  }
  return pairs === 0 ? 0 : common / pairs;
}

/** GB2312 rows A1–A3 (punctuation, full-width forms) and B0–F7 (the hanzi). */
function isCommonGb(lead: number, trail: number): boolean {
  return trail >= 0xa1 && trail <= 0xfe && ((lead >= 0xa1 && lead <= 0xa3) || (lead >= 0xb0 && lead <= 0xf7));
}

/** Big5 A140–A3BF (punctuation) and A440–C67E (level-1 characters). */
function isCommonBig5(lead: number, trail: number): boolean {
  const validTrail = (trail >= 0x40 && trail <= 0x7e) || (trail >= 0xa1 && trail <= 0xfe);
  return validTrail && lead >= 0xa1 && lead <= 0xc6;
}

const NON_LATIN_LETTER = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Thai}]/u;
const LATIN_LETTER = /\p{Script=Latin}/u;

/**
 * Accented letters next to ASCII letters count for a decoding ("café"), symbols inside words and case
 * changes mid-word count against it ("Za¿ó³æ" is Polish read with the wrong code page).
 */
function latinLetterScore(text: string): number {
  let letters = 0;
  let good = 0;
  let bad = 0;
  const isLetter = (ch: string | undefined): boolean => ch !== undefined && /\p{L}/u.test(ch);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch < '\x80') continue;
    if (isLetter(ch)) {
      // An upper-case letter right after a lower-case one ("γΊ", "ÃºÊ") is how mojibake looks, not words.
      if (/\p{Lu}/u.test(ch) && /\p{Ll}/u.test(text[i - 1] ?? '')) {
        bad++;
        continue;
      }
      letters++;
      if (/[A-Za-z]/.test(text[i - 1] ?? '') || /[A-Za-z]/.test(text[i + 1] ?? '')) good++;
      // Cyrillic, Greek, Hebrew, Arabic or Thai words need no ASCII neighbours, but no Latin ones either.
      else if (NON_LATIN_LETTER.test(ch) && !LATIN_LETTER.test(text[i - 1] ?? '') && !LATIN_LETTER.test(text[i + 1] ?? '')) good++;
    } else if (!/\s/.test(ch) && isLetter(text[i - 1]) && isLetter(text[i + 1])) bad++;
  }
  return letters + bad === 0 ? 0.5 : (good - 2 * bad) / (letters + bad);
}

function emptyFile(source: string): LoreError {
  return new LoreError({ code: 'EMPTY_FILE', message: `${source} is empty`, hint: 'there is no text to index', subject: source });
}

function binaryFile(source: string): LoreError {
  return new LoreError({
    code: 'BINARY_FILE',
    message: `${source} looks like a binary file, not text`,
    hint: 'exclude it, or convert it to a supported format (text, Markdown, HTML, PDF, DOCX, CSV, JSON)',
    subject: source,
  });
}
