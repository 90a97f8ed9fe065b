import { writeFileSync } from 'node:fs';

/**
 * Writes a real GGUF v3 model file that llama.cpp loads and runs: a Llama-architecture transformer with
 * seeded random F32 weights and an SPM vocabulary small enough to keep the file well under a megabyte.
 * Tests and benchmarks use it instead of a downloaded model (nothing can be downloaded here, and a real
 * model would take minutes to load on two cores). The output is meaningless text, but every code path —
 * tokenizer, chat template, sampling, grammars, KV cache, draft models, embeddings — is the real one.
 */
export interface TinyGgufOptions {
  path: string;
  /** Seeds the weights (default 1). Each tensor draws from (seed, tensor name), so two files with the same
   * seed and different `layers` share every tensor they both have: the smaller one makes a fitting draft. */
  seed?: number;
  /** Transformer blocks (default 2). */
  layers?: number;
  /** Hidden size (default 64); a multiple of `heads`. */
  embeddingLength?: number;
  /** Attention heads (default 4) and key/value heads (default 2, grouped-query attention as real models do). */
  heads?: number;
  kvHeads?: number;
  /** Feed-forward hidden size (default 2 × embeddingLength). */
  feedForwardLength?: number;
  /** Trained context length (default 4096): byte-level prompts are long, so leave plenty of room. */
  contextLength?: number;
  /** Set to make an embedding model: llama.cpp pools the last hidden states (`llama.pooling_type`). */
  pooling?: 'mean' | 'cls' | 'last';
  /** `general.name` (default "tiny-llama"). */
  name?: string;
  /** 'bytes': only the special and byte tokens — a different vocabulary, e.g. for a mismatched draft. */
  vocabulary?: 'full' | 'bytes';
}

export interface TinyGguf {
  path: string;
  bytes: number;
  /** The vocabulary, by token id. */
  tokens: readonly string[];
}

const POOLING = { mean: 1, cls: 2, last: 3 } as const;

/** ChatML, which node-llama-cpp recognises from the template and many real models (Qwen, …) use. */
export const TINY_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

// Token types of llama.cpp's vocabulary: normal, unknown, control, byte.
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

/**
 * `<unk> <s> </s>`, the 256 byte tokens, every printable ASCII character (SPM merges pairs of symbols that
 * are themselves tokens, so single characters must exist for longer pieces to be reachable), a few dozen
 * merged pieces with all their prefixes, and the two ChatML control tokens.
 */
function vocabulary(kind: 'full' | 'bytes'): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const scores: number[] = [0, 0, 0];
  const types: number[] = [UNKNOWN, CONTROL, CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    scores.push(0);
    types.push(BYTE);
  }
  const seen = new Set<string>();
  const add = (piece: string, score: number): void => {
    if (seen.has(piece)) return;
    seen.add(piece);
    tokens.push(piece);
    scores.push(score);
    types.push(NORMAL);
  };
  add('▁', -100);
  if (kind === 'full') for (let c = 0x21; c < 0x7f; c++) add(String.fromCharCode(c), -100);
  const words = kind === 'bytes' ? [] : ['▁the', '▁a', '▁is', '▁of', '▁and', '▁to', '▁in', '▁it', '▁name', '▁user', '▁you', 'user', 'assistant', 'system', 'the', 'er', 'in', 'on', 'an', '":', '",', '{"', '"}'];
  let rank = 0;
  for (const word of words) {
    // Every prefix, so SPM's pairwise merges can build the whole piece.
    for (let end = 2; end <= word.length; end++) add(word.slice(0, end), -(++rank));
  }
  for (const special of ['<|im_start|>', '<|im_end|>']) {
    tokens.push(special);
    scores.push(0);
    types.push(CONTROL);
  }
  return { tokens, scores, types };
}

/** mulberry32: small, fast and the same on every platform. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string, seed: number): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function gaussian(count: number, std: number, seed: number, name: string): Float32Array {
  const next = random(hash(name, seed));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

function ones(count: number): Float32Array {
  return new Float32Array(count).fill(1);
}

type Value =
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'f32[]'; value: readonly number[] }
  | { type: 'i32[]'; value: readonly number[] };

interface Tensor {
  name: string;
  /** ne[0] first, as GGUF stores dimensions: the innermost (contiguous) one leads. */
  dims: number[];
  data: Float32Array;
}

const ALIGNMENT = 32;
// GGUF value types.
const T_U32 = 4;
const T_I32 = 5;
const T_F32 = 6;
const T_BOOL = 7;
const T_STRING = 8;
const T_ARRAY = 9;

/** A growable little-endian byte buffer. */
class Writer {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;
  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const next = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
  u32(v: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.buffer.writeInt32LE(v, this.length);
    this.length += 4;
  }
  u64(v: number): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  f32(v: number): void {
    this.reserve(4);
    this.buffer.writeFloatLE(v, this.length);
    this.length += 4;
  }
  u8(v: number): void {
    this.reserve(1);
    this.buffer.writeUInt8(v, this.length);
    this.length += 1;
  }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.bytes(bytes);
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
  }
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment;
    this.reserve(n);
    this.buffer.fill(0, this.length, this.length + n);
    this.length += n;
  }
  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function writeValue(w: Writer, v: Value): void {
  switch (v.type) {
    case 'u32':
      w.u32(T_U32);
      w.u32(v.value);
      return;
    case 'f32':
      w.u32(T_F32);
      w.f32(v.value);
      return;
    case 'bool':
      w.u32(T_BOOL);
      w.u8(v.value ? 1 : 0);
      return;
    case 'string':
      w.u32(T_STRING);
      w.string(v.value);
      return;
    case 'string[]':
      w.u32(T_ARRAY);
      w.u32(T_STRING);
      w.u64(v.value.length);
      for (const s of v.value) w.string(s);
      return;
    case 'f32[]':
      w.u32(T_ARRAY);
      w.u32(T_F32);
      w.u64(v.value.length);
      for (const x of v.value) w.f32(x);
      return;
    case 'i32[]':
      w.u32(T_ARRAY);
      w.u32(T_I32);
      w.u64(v.value.length);
      for (const x of v.value) w.i32(x);
      return;
  }
}

/** Serialises a GGUF v3 file: header, metadata, tensor infos, then the aligned F32 tensor data. */
function encodeGguf(metadata: Array<[string, Value]>, tensors: Tensor[]): Buffer {
  const w = new Writer();
  w.bytes(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const [key, value] of metadata) {
    w.string(key);
    writeValue(w, value);
  }
  let offset = 0;
  for (const t of tensors) {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    offset += Math.ceil((t.data.byteLength) / ALIGNMENT) * ALIGNMENT;
  }
  w.pad(ALIGNMENT);
  for (const t of tensors) {
    w.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    w.pad(ALIGNMENT);
  }
  return w.result();
}

export function writeTinyGguf(options: TinyGgufOptions): TinyGguf {
  const seed = options.seed ?? 1;
  const layers = options.layers ?? 2;
  const embd = options.embeddingLength ?? 64;
  const heads = options.heads ?? 4;
  const kvHeads = options.kvHeads ?? 2;
  const ff = options.feedForwardLength ?? embd * 2;
  const headDim = embd / heads;
  if (!Number.isInteger(headDim) || heads % kvHeads !== 0) throw new Error('embeddingLength must divide by heads, and heads by kvHeads');
  const kvDim = headDim * kvHeads;
  const { tokens, scores, types } = vocabulary(options.vocabulary ?? 'full');
  const vocab = tokens.length;
  const imEnd = tokens.indexOf('<|im_end|>');

  const metadata: Array<[string, Value]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: options.name ?? 'tiny-llama' }],
    ['general.alignment', { type: 'u32', value: ALIGNMENT }],
    ['llama.context_length', { type: 'u32', value: options.contextLength ?? 4096 }],
    ['llama.embedding_length', { type: 'u32', value: embd }],
    ['llama.block_count', { type: 'u32', value: layers }],
    ['llama.feed_forward_length', { type: 'u32', value: ff }],
    ['llama.attention.head_count', { type: 'u32', value: heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: kvHeads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.vocab_size', { type: 'u32', value: vocab }],
    ...(options.pooling ? ([['llama.pooling_type', { type: 'u32', value: POOLING[options.pooling] }]] as Array<[string, Value]>) : []),
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    // ChatML models end a turn with <|im_end|>; making it the EOS token is what Qwen's files do.
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: imEnd }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: TINY_CHAT_TEMPLATE }],
  ];

  // Projections at 1/sqrt(fan-in); the ones writing into the residual stream scaled down by depth (as
  // GPT-2 initialises), so each block nudges rather than replaces the stream and a shallower model with
  // the same seed predicts much like a deeper one — which is what a draft model needs.
  const residual = 0.5 / Math.sqrt(layers);
  const tensors: Tensor[] = [
    { name: 'token_embd.weight', dims: [embd, vocab], data: gaussian(embd * vocab, 1, seed, 'token_embd.weight') },
    { name: 'output_norm.weight', dims: [embd], data: ones(embd) },
    { name: 'output.weight', dims: [embd, vocab], data: gaussian(embd * vocab, 1 / Math.sqrt(embd), seed, 'output.weight') },
  ];
  for (let i = 0; i < layers; i++) {
    const p = `blk.${i}.`;
    const t = (name: string, dims: number[], std: number): Tensor => ({ name: p + name, dims, data: gaussian(dims[0]! * (dims[1] ?? 1), std, seed, p + name) });
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [embd], data: ones(embd) },
      t('attn_q.weight', [embd, embd], 1 / Math.sqrt(embd)),
      t('attn_k.weight', [embd, kvDim], 1 / Math.sqrt(embd)),
      t('attn_v.weight', [embd, kvDim], 1 / Math.sqrt(embd)),
      t('attn_output.weight', [embd, embd], residual / Math.sqrt(embd)),
      { name: `${p}ffn_norm.weight`, dims: [embd], data: ones(embd) },
      t('ffn_gate.weight', [embd, ff], 1 / Math.sqrt(embd)),
      t('ffn_up.weight', [embd, ff], 1 / Math.sqrt(embd)),
      t('ffn_down.weight', [ff, embd], residual / Math.sqrt(ff)),
    );
  }

  const bytes = encodeGguf(metadata, tensors);
  writeFileSync(options.path, bytes);
  return { path: options.path, bytes: bytes.length, tokens };
}
