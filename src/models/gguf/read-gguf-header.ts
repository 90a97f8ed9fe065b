import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LoreError } from '../../spec/errors.js';

/** What Lore needs to know about a GGUF file before (and without) handing it to llama.cpp. */
export interface GgufHeader {
  path: string;
  version: number;
  fileSize: number;
  /** `general.architecture`, e.g. "llama", "qwen2", "bert". */
  architecture: string;
  /** `general.name`, when the file has one. */
  name?: string;
  /** `<arch>.embedding_length`: the hidden size, which is the vector size of an embedding model. */
  embeddingLength?: number;
  /** `<arch>.context_length`: the context the model was trained for. */
  contextLength?: number;
  /** `<arch>.pooling_type` (0 none, 1 mean, 2 cls, 3 last, 4 rank): set on embedding models. */
  poolingType?: number;
  /** `tokenizer.chat_template`, the Jinja template node-llama-cpp picks a chat format from. */
  chatTemplate?: string;
  tensorCount: number;
  /** Entries in `tokenizer.ggml.tokens` (0 when the file has no vocabulary). */
  vocabularySize: number;
  /** `tokenizer.ggml.model`: "llama" (SentencePiece), "gpt2" (byte-level BPE), "bert" … */
  tokenizerModel?: string;
  /**
   * Token id → byte value for the `<0xHH>` byte-fallback tokens of SPM vocabularies. Grammar-constrained
   * generation uses it to keep byte sequences valid UTF-8 (see utf8-guard.ts).
   */
  byteTokens: Map<number, number>;
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const FIX = 're-download the model or check the file';

// GGUF metadata value types.
const enum V {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
}
const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/**
 * Bytes per block and elements per block of the ggml tensor types, to tell a truncated file from a whole
 * one (checked against llama.cpp's own table in node-llama-cpp 3.21.1). Types missing here (newer
 * quantisations) are not size-checked rather than wrongly rejected.
 */
const TYPE_SIZE: Record<number, [bytes: number, elements: number]> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  9: [36, 32], // Q8_1
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  15: [292, 256], // Q8_K
  16: [66, 256], // IQ2_XXS
  17: [74, 256], // IQ2_XS
  18: [98, 256], // IQ3_XXS
  19: [50, 256], // IQ1_S
  20: [18, 32], // IQ4_NL
  21: [110, 256], // IQ3_S
  22: [82, 256], // IQ2_S
  23: [136, 256], // IQ4_XS
  24: [1, 1], // I8
  25: [2, 1], // I16
  26: [4, 1], // I32
  27: [8, 1], // I64
  28: [8, 1], // F64
  29: [56, 256], // IQ1_M
  30: [2, 1], // BF16
  34: [54, 256], // TQ1_0
  35: [66, 256], // TQ2_0
  39: [17, 32], // MXFP4
  40: [36, 64], // NVFP4
  41: [18, 128], // Q1_0
  42: [18, 64], // Q2_0
};

class Truncated extends Error {}

/**
 * Reads the file through a sliding window so a multi-gigabyte model costs only its header (a few MB at
 * most: the vocabulary) and every length field is checked against the file size before it is trusted.
 */
class HeaderReader {
  private buffer = Buffer.alloc(0);
  private start = 0;
  offset = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  private ensure(n: number): void {
    if (this.offset + n > this.size) throw new Truncated();
    if (this.offset >= this.start && this.offset + n <= this.start + this.buffer.length) return;
    const length = Math.min(Math.max(n, 1 << 20), this.size - this.offset);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const got = readSync(this.fd, buffer, read, length - read, this.offset + read);
      if (got === 0) throw new Truncated();
      read += got;
    }
    this.buffer = buffer;
    this.start = this.offset;
  }
  private at(): number {
    return this.offset - this.start;
  }
  u8(): number {
    this.ensure(1);
    const v = this.buffer.readUInt8(this.at());
    this.offset += 1;
    return v;
  }
  u32(): number {
    this.ensure(4);
    const v = this.buffer.readUInt32LE(this.at());
    this.offset += 4;
    return v;
  }
  i32(): number {
    this.ensure(4);
    const v = this.buffer.readInt32LE(this.at());
    this.offset += 4;
    return v;
  }
  u64(): number {
    this.ensure(8);
    const v = this.buffer.readBigUInt64LE(this.at());
    this.offset += 8;
    // Anything past 2^53 is no real length or count in a file that fits on a disk.
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Truncated();
    return Number(v);
  }
  skip(n: number): void {
    if (this.offset + n > this.size) throw new Truncated();
    this.offset += n;
  }
  string(): string {
    const length = this.u64();
    if (length > this.size - this.offset) throw new Truncated();
    this.ensure(length);
    const s = this.buffer.toString('utf8', this.at(), this.at() + length);
    this.offset += length;
    return s;
  }
  /** A string only if it has `length` bytes, else skipped undecoded (vocabularies hold 150k of them). */
  stringOfLength(length: number): string | undefined {
    const actual = this.u64();
    if (actual !== length) {
      this.skip(actual);
      return undefined;
    }
    this.offset -= 8;
    return this.string();
  }
  scalar(type: number): number | boolean {
    switch (type) {
      case V.U8:
        return this.u8();
      case V.I8: {
        const v = this.u8();
        return v > 127 ? v - 256 : v;
      }
      case V.U16:
      case V.I16:
        this.ensure(2);
        this.offset += 2;
        return type === V.U16 ? this.buffer.readUInt16LE(this.at() - 2) : this.buffer.readInt16LE(this.at() - 2);
      case V.U32:
        return this.u32();
      case V.I32:
        return this.i32();
      case V.F32:
        this.ensure(4);
        this.offset += 4;
        return this.buffer.readFloatLE(this.at() - 4);
      case V.BOOL:
        return this.u8() !== 0;
      case V.U64:
        return this.u64();
      case V.I64:
        this.ensure(8);
        this.offset += 8;
        return Number(this.buffer.readBigInt64LE(this.at() - 8));
      case V.F64:
        this.ensure(8);
        this.offset += 8;
        return this.buffer.readDoubleLE(this.at() - 8);
      default:
        throw new Error(`unknown value type ${type}`);
    }
  }
}

function corrupt(path: string, what: string, cause?: unknown): LoreError {
  return new LoreError({ code: 'CORRUPT_FILE', message: `${path} is not a usable GGUF model: ${what}`, hint: FIX, subject: path, cause });
}

/**
 * Checks a GGUF file the way llama.cpp would read it — magic, version, every metadata entry, every tensor's
 * extent against the file size — and returns what Lore needs from it. llama.cpp runs in-process: a file it
 * misreads can take the whole process down where no try/catch reaches, so nothing unchecked goes to it.
 */
export function readGgufHeader(options: { path: string }): GgufHeader {
  const path = options.path;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LoreError({ code: 'NOT_FOUND', message: `No model file at ${path}`, hint: 'check the path, or download a GGUF model (e.g. from Hugging Face) first', subject: path, cause });
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Cannot open the model file ${path}: ${(cause as Error).message}`, subject: path, cause });
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `${path} is a folder, not a GGUF model file`, hint: 'name the .gguf file itself', subject: path });
    if (stat.size === 0) throw new LoreError({ code: 'EMPTY_FILE', message: `The model file ${path} is empty`, hint: FIX, subject: path });
    return parse(new HeaderReader(fd, stat.size), path);
  } finally {
    closeSync(fd);
  }
}

function parse(r: HeaderReader, path: string): GgufHeader {
  try {
    if (r.size < 24 || r.u32() !== MAGIC) {
      throw new LoreError({
        code: 'UNSUPPORTED_FORMAT',
        message: `${path} is not a GGUF model file (it does not start with "GGUF")`,
        hint: 'Lore runs GGUF models (llama.cpp format); convert other formats with llama.cpp, or re-download the file',
        subject: path,
      });
    }
    const version = r.u32();
    if (version < 2 || version > 3) {
      throw new LoreError({ code: 'UNSUPPORTED_FORMAT', message: `${path} is GGUF version ${version}; this llama.cpp reads versions 2 and 3`, hint: FIX, subject: path });
    }
    const tensorCount = r.u64();
    const kvCount = r.u64();
    // Each entry takes at least a dozen bytes: a count beyond that is garbage, not a big model.
    if (kvCount > r.size / 12 || tensorCount > r.size / 24) throw corrupt(path, `its header claims ${kvCount} metadata entries and ${tensorCount} tensors`);

    const meta = new Map<string, number | boolean | string>();
    let tokenTypes: number[] | undefined;
    let tokenTexts: Map<number, string> | undefined;
    let alignment = 32;
    let vocabularySize = 0;
    for (let i = 0; i < kvCount; i++) {
      const key = r.string();
      const type = r.u32();
      if (type === V.STRING) meta.set(key, r.string());
      else if (type === V.ARRAY) {
        const itemType = r.u32();
        const count = r.u64();
        if (itemType === V.STRING) {
          const keep = key === 'tokenizer.ggml.tokens';
          if (keep) {
            tokenTexts = new Map();
            vocabularySize = count;
          }
          for (let j = 0; j < count; j++) {
            // Only `<0xHH>` pieces are kept: the byte tokens are all the UTF-8 guard needs.
            const s = r.stringOfLength(keep ? 6 : -1);
            if (s?.startsWith('<0x') && s.endsWith('>')) tokenTexts!.set(j, s);
          }
        } else if (itemType === V.ARRAY) {
          throw corrupt(path, `nested arrays in "${key}" are not something llama.cpp reads`);
        } else {
          const size = SCALAR_SIZE[itemType];
          if (size === undefined) throw corrupt(path, `"${key}" has an unknown value type ${itemType}`);
          if (count * size > r.size - r.offset) throw new Truncated();
          if (key === 'tokenizer.ggml.token_type' && (itemType === V.I32 || itemType === V.U32)) {
            tokenTypes = [];
            for (let j = 0; j < count; j++) tokenTypes.push(r.i32());
          } else r.skip(count * size);
        }
      } else if (SCALAR_SIZE[type] !== undefined) {
        const value = r.scalar(type);
        meta.set(key, value);
        if (key === 'general.alignment' && typeof value === 'number') alignment = value;
      } else throw corrupt(path, `"${key}" has an unknown value type ${type}`);
    }
    if (!(alignment > 0 && Number.isInteger(alignment))) throw corrupt(path, `its alignment ${alignment} is invalid`);

    let dataNeeded = 0;
    for (let i = 0; i < tensorCount; i++) {
      const name = r.string();
      const dims = r.u32();
      if (dims < 1 || dims > 4) throw corrupt(path, `tensor "${name}" has ${dims} dimensions`);
      let elements = 1;
      for (let d = 0; d < dims; d++) elements *= r.u64();
      const type = r.u32();
      const offset = r.u64();
      const size = TYPE_SIZE[type];
      const bytes = size ? Math.ceil(elements / size[1]) * size[0] : 0;
      dataNeeded = Math.max(dataNeeded, offset + bytes);
    }
    const dataStart = Math.ceil(r.offset / alignment) * alignment;
    if (dataStart + dataNeeded > r.size) {
      throw corrupt(path, `the file is truncated (${r.size} bytes; its tensors need ${dataStart + dataNeeded}) — an interrupted download?`);
    }

    const architecture = meta.get('general.architecture');
    if (typeof architecture !== 'string' || !architecture) throw corrupt(path, 'it names no architecture (general.architecture)');
    const num = (key: string): number | undefined => {
      const v = meta.get(`${architecture}.${key}`);
      return typeof v === 'number' ? v : undefined;
    };
    const byteTokens = new Map<number, number>();
    for (const [id, text] of tokenTexts ?? []) {
      // SPM marks its byte-fallback pieces with type 6 (BYTE); without types, trust the `<0xHH>` spelling.
      if (tokenTypes && tokenTypes[id] !== 6) continue;
      const value = Number.parseInt(text.slice(3, 5), 16);
      if (Number.isInteger(value)) byteTokens.set(id, value);
    }
    const name = meta.get('general.name');
    const template = meta.get('tokenizer.chat_template');
    const tokenizerModel = meta.get('tokenizer.ggml.model');
    return {
      path,
      version,
      fileSize: r.size,
      architecture,
      name: typeof name === 'string' ? name : undefined,
      embeddingLength: num('embedding_length'),
      contextLength: num('context_length'),
      poolingType: num('pooling_type'),
      chatTemplate: typeof template === 'string' ? template : undefined,
      tensorCount,
      vocabularySize,
      tokenizerModel: typeof tokenizerModel === 'string' ? tokenizerModel : undefined,
      byteTokens,
    };
  } catch (error) {
    if (error instanceof LoreError) throw error;
    if (error instanceof Truncated) throw corrupt(path, `its header runs past the end of the file (${r.size} bytes) — the file is truncated or damaged`);
    throw corrupt(path, (error as Error).message, error);
  }
}
