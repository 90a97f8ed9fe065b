/**
 * Local GGUF models through Lore (`createGgufModel`), on one model file:
 *   1. overhead: decode tokens/s through Lore's stream against node-llama-cpp's own LlamaChatSession, same
 *      file, threads and context (median of several alternating runs; the floor is 0.95);
 *   2. KV-cache reuse: time to first token on turn 5 of a conversation, reusing the cache or not;
 *   3. speculative decoding: accepted share of drafted tokens and the speed ratio with a draft model;
 *   4. structured output: share of schema-valid answers over 200 grammar-constrained requests (must be 100%).
 * Without flags it generates a random-weight Llama model (8 blocks, 256-d, 26 MB) and a draft (its first
 * block) into tmp/bench-models/; `--model PATH --draft PATH` runs it on real models instead.
 * Writes the "Models" section of docs/benchmarks.md (unless `--no-write`).
 * Run: `npm run build && node --import tsx bench/models.ts [--model PATH] [--draft PATH] [--no-write]`.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Ajv } from 'ajv';
import { type ChatHistoryItem, LlamaChat, LlamaChatSession } from 'node-llama-cpp';
import { createGgufModel, type GgufModel } from '../src/models/gguf/index.js';
import { acquireModel, defaultThreads, getSharedLlama } from '../src/models/gguf/load-llama.js';
import { readGgufHeader } from '../src/models/gguf/read-gguf-header.js';
import { writeTinyGguf } from '../src/models/test-support/tiny-gguf.js';
import type { ChatMessage, GenerateRequest } from '../src/spec/models.js';
import { writeBenchmarkSection } from './report.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    draft: { type: 'string' },
    runs: { type: 'string', default: '15' },
    tokens: { type: 'string', default: '128' },
    'no-write': { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const TOKENS = Number(args.tokens);
const STRUCTURED_REQUESTS = 200;

let modelPath = args.model;
let draftPath = args.draft;
const generated = !modelPath;
// Validity under a schema does not depend on model size: on generated models it is counted on the small
// test model, 20 times faster, which keeps the whole run to a couple of minutes on two cores.
let structuredPath = modelPath;
if (!modelPath) {
  const dir = join(ROOT, 'tmp', 'bench-models');
  mkdirSync(dir, { recursive: true });
  const shape = { embeddingLength: 256, heads: 8, kvHeads: 4, feedForwardLength: 768, seed: 11 };
  modelPath = writeTinyGguf({ path: join(dir, 'bench-8x256.gguf'), layers: 8, ...shape }).path;
  draftPath ??= writeTinyGguf({ path: join(dir, 'bench-draft-1x256.gguf'), layers: 1, ...shape }).path;
  structuredPath = writeTinyGguf({ path: join(dir, 'test-2x64.gguf') }).path;
}
const header = readGgufHeader({ path: modelPath });
const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number, digits = 1) => x.toFixed(digits);

const llama = await getSharedLlama();
const threads = defaultThreads({ llama, modelBytes: header.fileSize });
const contextSize = Math.min(header.contextLength ?? 4096, 4096);
const SYSTEM = 'You are a helpful assistant. Answer in plain words.';
const PROMPT = 'Write a short story about a lighthouse keeper who finds a message in a bottle.';

/** Decode rate of one streamed answer: tokens after the first over the time since the first. */
interface Timed {
  tokens: number;
  firstMs: number;
  totalMs: number;
  /** CPU time of this process (all its threads, llama.cpp's included) over the request. */
  cpuMs: number;
  text: string;
}
// Garbage left by one side would otherwise be collected (by GC threads, counted in CPU time) during the
// next side's turn. Exposed at run time so the bench runs with a plain `node --import tsx`.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const decodeRate = (t: Timed) => (t.tokens - 1) / ((t.totalMs - t.firstMs) / 1000);

async function timeLore(model: GgufModel, request: GenerateRequest): Promise<Timed> {
  collectGarbage();
  const cpu = cpuNow();
  const started = performance.now();
  let firstMs = 0;
  let text = '';
  let tokens = 0;
  for await (const event of model.stream(request)) {
    if (event.type === 'text') {
      if (!text) firstMs = performance.now() - started;
      text += event.delta;
    } else if (event.type === 'usage') tokens = event.usage.outputTokens;
  }
  return { tokens, firstMs, totalMs: performance.now() - started, cpuMs: cpuNow() - cpu, text };
}

// --- 1. Overhead against node-llama-cpp itself ---------------------------------------------------
log(`model ${modelPath} (${(header.fileSize / 1e6).toFixed(1)} MB), ${threads} thread(s), context ${contextSize}`);
// The very weights Lore's model runs on (its per-process cache), so only the calling code differs.
const sharedWeights = await acquireModel({ path: modelPath });
const directModel = sharedWeights.model;
const directContext = await directModel.createContext({ contextSize, threads, sequences: 1 });
const directSequence = directContext.getSequence();

// Built once and reused, as an application would (and as Lore keeps its own LlamaChat): building one
// resolves the chat wrapper from the template, which costs more CPU than a short answer.
const session = new LlamaChatSession({ contextSequence: directSequence, systemPrompt: SYSTEM, autoDisposeSequence: false });
const chat = new LlamaChat({ contextSequence: directSequence });

async function timeSession(): Promise<Timed> {
  await directSequence.clearHistory();
  session.resetChatHistory();
  return timeDirect((onToken) => session.prompt(PROMPT, { maxTokens: TOKENS, temperature: 0, onToken }));
}

async function timeChat(): Promise<Timed> {
  // The lower-level class Lore itself drives: the difference to it is Lore's own overhead.
  await directSequence.clearHistory();
  return timeDirect(async (onToken) => {
    const history: ChatHistoryItem[] = [{ type: 'system', text: SYSTEM }, { type: 'user', text: PROMPT }, { type: 'model', response: [] }];
    return (await chat.generateResponse(history, { maxTokens: TOKENS, temperature: 0, onToken })).response;
  });
}

async function timeDirect(run: (onToken: (tokens: unknown[]) => void) => Promise<string>): Promise<Timed> {
  collectGarbage();
  const before = directSequence.tokenMeter.usedOutputTokens;
  const cpu = cpuNow();
  const started = performance.now();
  let firstMs = 0;
  const text = await run(() => {
    if (!firstMs) firstMs = performance.now() - started;
  });
  const totalMs = performance.now() - started;
  // Sampled tokens, as Lore reports them: one logits read per generated token.
  return { tokens: directSequence.tokenMeter.usedOutputTokens - before, firstMs, totalMs, cpuMs: cpuNow() - cpu, text };
}

const lore = createGgufModel({ path: modelPath, contextSize, threads, systemPrompt: SYSTEM, reuseKvCache: false });
const loreRequest: GenerateRequest = { messages: [{ role: 'user', content: PROMPT }], maxTokens: TOKENS, temperature: 0 };
const sides = { lore: () => timeLore(lore, loreRequest), session: timeSession, chat: timeChat };
type Side = keyof typeof sides;
for (const side of Object.values(sides)) await side(); // warm-up: loads the weights, compiles the paths
const samples: Record<Side, Timed[]> = { lore: [], session: [], chat: [] };
const orders: Side[][] = [
  ['lore', 'session', 'chat'],
  ['session', 'chat', 'lore'],
  ['chat', 'lore', 'session'],
];
for (let run = 0; run < RUNS; run++) {
  // Back to back, in rotating order: on a shared machine the load drifts within seconds, so each
  // round's own ratios are compared, and their median reported.
  for (const side of orders[run % orders.length]!) samples[side].push(await sides[side]());
}
const sameText = samples.session.every((t, i) => t.text === samples.lore[i]!.text) && samples.chat.every((t, i) => t.text === samples.lore[i]!.text);
const answerTokens = samples.lore[0]!.tokens;
const pairRatios = (side: Side, of: (t: Timed) => number) => samples[side].map((t, i) => of(t) / of(samples.lore[i]!));
const against = (side: Side) => ({
  cpuMs: median(samples[side].map((t) => t.cpuMs)),
  rate: median(samples[side].map(decodeRate)),
  // > 1: Lore needs less (CPU) or is faster (wall clock).
  cpuRatios: pairRatios(side, (t) => t.cpuMs),
  rateRatios: pairRatios(side, (t) => 1 / decodeRate(t)),
});
const overhead = { lore: against('lore'), session: against('session'), chat: against('chat'), load: loadavg()[0] ?? 0 };
for (const side of ['session', 'chat'] as const) {
  const o = overhead[side];
  log(`vs ${side}: CPU ${fmt(overhead.lore.cpuMs)} / ${fmt(o.cpuMs)} ms, pair ratios ${o.cpuRatios.map((r) => fmt(r, 2)).join(' ')}; wall ${fmt(overhead.lore.rate)} / ${fmt(o.rate)} tok/s, pair ratios ${o.rateRatios.map((r) => fmt(r, 2)).join(' ')}`);
}
session.dispose();
chat.dispose();
await directContext.dispose();
await sharedWeights.release();

// --- 2. Time to first token on turn 5, with and without KV-cache reuse ----------------------------
const LONG_SYSTEM = `${SYSTEM} ${'Follow the house style: short sentences, no lists, cite the manual by section number. '.repeat(8)}`;
const reusing = createGgufModel({ path: modelPath, contextSize, threads, systemPrompt: LONG_SYSTEM });
const fresh = createGgufModel({ path: modelPath, contextSize, threads, systemPrompt: LONG_SYSTEM, reuseKvCache: false });
const questions = ['How do I reset the router?', 'And if the light keeps blinking?', 'Where is the reset button?', 'How long should I hold it?', 'What happens to my settings?'];
async function turnFive(model: GgufModel): Promise<{ ttft: number; input: number; evaluated: number }> {
  const messages: ChatMessage[] = [];
  let last = { ttft: 0, input: 0, evaluated: 0 };
  for (const [i, question] of questions.entries()) {
    messages.push({ role: 'user', content: question });
    const timed = await timeLore(model, { messages, maxTokens: 16, temperature: 0 });
    const stats = model.stats().last!;
    last = { ttft: timed.firstMs, input: stats.inputTokens, evaluated: stats.evaluatedInputTokens };
    // A scripted reply (what an application stores), so the next prompt extends this one exactly.
    messages.push({ role: 'assistant', content: `Answer ${i + 1}: see section ${i + 3} of the manual.` });
  }
  return last;
}
await turnFive(reusing);
await turnFive(fresh);
const ttftReuse: number[] = [];
const ttftFresh: number[] = [];
const ttftRatios: number[] = [];
let turn5 = { input: 0, reuseEvaluated: 0, freshEvaluated: 0 };
for (let run = 0; run < RUNS; run++) {
  const b = run % 2 ? await turnFive(fresh) : undefined;
  const a = await turnFive(reusing);
  const other = b ?? (await turnFive(fresh));
  ttftReuse.push(a.ttft);
  ttftFresh.push(other.ttft);
  ttftRatios.push(other.ttft / a.ttft);
  turn5 = { input: a.input, reuseEvaluated: a.evaluated, freshEvaluated: other.evaluated };
}
const ttft = { reuse: median(ttftReuse), fresh: median(ttftFresh), ratio: median(ttftRatios) };
log(`turn 5 TTFT: reuse ${fmt(ttft.reuse)} ms (${turn5.reuseEvaluated}/${turn5.input} prompt tokens evaluated), fresh ${fmt(ttft.fresh)} ms (${turn5.freshEvaluated}), ratio ${fmt(ttft.ratio, 2)}×`);
await reusing.close();
await fresh.close();

// --- 3. Speculative decoding ------------------------------------------------------------------------
let speculative: { plain: number; drafted: number; ratio: number; rate: number; same: boolean; draftMb: number } | undefined;
if (draftPath) {
  const plain = createGgufModel({ path: modelPath, contextSize, threads, systemPrompt: SYSTEM, reuseKvCache: false });
  const drafted = createGgufModel({
    path: modelPath,
    draftPath,
    contextSize,
    threads,
    systemPrompt: SYSTEM,
    reuseKvCache: false,
    // Random weights are never confident; a real draft model keeps node-llama-cpp's threshold.
    draftMinConfidence: generated ? 0 : undefined,
  });
  await timeLore(plain, loreRequest);
  await timeLore(drafted, loreRequest);
  const plainTimes: number[] = [];
  const draftTimes: number[] = [];
  let same = true;
  const speedRatios: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const b0 = run % 2 ? await timeLore(drafted, loreRequest) : undefined;
    const a = await timeLore(plain, loreRequest);
    const b = b0 ?? (await timeLore(drafted, loreRequest));
    plainTimes.push(a.tokens / (a.totalMs / 1000));
    draftTimes.push(b.tokens / (b.totalMs / 1000));
    speedRatios.push(a.totalMs / b.totalMs);
    same &&= a.text === b.text;
  }
  const stats = drafted.stats().draft!;
  speculative = { plain: median(plainTimes), drafted: median(draftTimes), ratio: median(speedRatios), rate: stats.acceptanceRate, same, draftMb: readGgufHeader({ path: draftPath }).fileSize / 1e6 };
  log(`speculative: ${fmt(speculative.plain)} → ${fmt(speculative.drafted)} tok/s, accepted ${fmt(100 * stats.acceptanceRate)}% of ${stats.accepted + stats.rejected} drafted, same text ${same}`);
  await plain.close();
  await drafted.close();
}

// --- 4. Structured output ---------------------------------------------------------------------------
const schema = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 16 },
    category: { enum: ['bug', 'feature', 'question', 'docs'] },
    priority: { type: 'integer' },
    estimate: { type: 'number' },
    labels: { type: 'array', items: { type: 'string', maxLength: 8 }, maxItems: 3 },
    blocking: { type: 'boolean' },
  },
  required: ['title', 'category', 'priority', 'estimate', 'labels', 'blocking'],
  additionalProperties: false,
};
const validate = new Ajv().compile(schema);
const structured = createGgufModel({ path: structuredPath!, contextSize, systemPrompt: SYSTEM });
let valid = 0;
let stopped = 0;
const startedStructured = performance.now();
for (let i = 0; i < STRUCTURED_REQUESTS; i++) {
  const result = await structured.generate({
    messages: [{ role: 'user', content: `File issue #${i} from this report: the export button ${i % 2 ? 'crashes' : 'hangs'} on page ${i}.` }],
    responseFormat: { type: 'json_schema', schema },
    maxTokens: 400,
    temperature: 1,
  });
  if (result.finishReason === 'stop') stopped++;
  try {
    if (validate(JSON.parse(result.text))) valid++;
    else log(`invalid: ${result.text}`);
  } catch {
    log(`unparsable (${result.finishReason}): ${result.text}`);
  }
}
const structuredMs = (performance.now() - startedStructured) / STRUCTURED_REQUESTS;
log(`structured: ${valid}/${STRUCTURED_REQUESTS} valid, ${stopped} finished, ${fmt(structuredMs)} ms per request`);
await structured.close();
await lore.close();

// --- Report -------------------------------------------------------------------------------------------
const modelLine = generated
  ? `a generated random-weight Llama model (8 blocks, 256-d, GQA 8/4 heads, F32, ${fmt(header.fileSize / 1e6)} MB, \`writeTinyGguf\`), so speeds are real and texts meaningless`
  : `\`${modelPath}\` (${fmt(header.fileSize / 1e6)} MB)${draftPath ? `, draft \`${draftPath}\`` : ''}`;
const body = [
  `Run: \`node --import tsx bench/models.ts\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores, node-llama-cpp 3.21.1 (CPU), ${threads} thread(s). Model: ${modelLine}. Greedy decoding unless said; medians of ${RUNS} runs; ratios are medians of back-to-back pairs in alternating order (the machine is shared and its load drifts).`,
  '',
  '| measure | Lore | reference | ratio |',
  '|---|---|---|---|',
  ...(['session', 'chat'] as const).map((side) => {
    const o = overhead[side];
    const name = side === 'session' ? '`LlamaChatSession` (node-llama-cpp used directly)' : '`LlamaChat` (the class Lore drives)';
    return `| against ${name}, ${answerTokens}-token answer: CPU ms per answer · decode tokens/s (wall) | ${fmt(overhead.lore.cpuMs)} · ${fmt(overhead.lore.rate)} | ${fmt(o.cpuMs)} · ${fmt(o.rate)} | **${fmt(median(o.cpuRatios), 3)}** (CPU; floor 0.95) · ${fmt(median(o.rateRatios), 3)} (wall) |`;
  }),
  `| time to first token, turn 5 of a conversation (${turn5.input}-token prompt) | ${fmt(ttft.reuse)} ms with KV-cache reuse (${turn5.reuseEvaluated} tokens evaluated) | ${fmt(ttft.fresh)} ms without (${turn5.freshEvaluated} evaluated) | ${fmt(ttft.ratio, 2)}× faster |`,
  speculative
    ? `| speculative decoding (draft ${fmt(speculative.draftMb)} MB): tokens/s, whole answer | ${fmt(speculative.drafted)} with draft, ${fmt(100 * speculative.rate)}% of drafted tokens accepted | ${fmt(speculative.plain)} without | ${fmt(speculative.ratio, 2)}${speculative.same ? ', same text' : ' — texts differed'} |`
    : '| speculative decoding | no draft model given | | |',
  `| structured output: answers valid under a JSON Schema (bounded strings, enum, integer, number, array, boolean) | ${valid} / ${STRUCTURED_REQUESTS} (${fmt((100 * valid) / STRUCTURED_REQUESTS)}%) at temperature 1, ${fmt(structuredMs)} ms each${generated ? ' (on the 2-block, 64-d test model)' : ''} | | must be 100% |`,
  '',
  'Notes:',
  `- All three do the same work (same loaded weights, threads, context size, prompt, greedy sampling, chat template)${sameText ? ' and wrote the same text' : ' — but the texts differed'}; what Lore adds is its event stream, history conversion and token accounting. Ratios are the reference's cost over Lore's (above 1: Lore is cheaper). CPU time is the headline because this machine is shared (load average ${fmt(overhead.load)} during the run): wall-clock pairs against LlamaChat ranged ${fmt(Math.min(...overhead.chat.rateRatios), 2)}–${fmt(Math.max(...overhead.chat.rateRatios), 2)}, CPU-time pairs ${fmt(Math.min(...overhead.chat.cpuRatios), 2)}–${fmt(Math.max(...overhead.chat.cpuRatios), 2)}.`,
  '- Turn 5 sends the whole conversation again, as a stateless API does; with reuse only the part after the cached prefix is evaluated. The replies are scripted so that each prompt extends the last one exactly (a random model\'s own replies contain invalid UTF-8, which does not tokenize back to the same tokens).',
  generated
    ? '- The draft is the first block of the same random model (same seed): it agrees with the full model only sometimes, and on two CPU cores drafting competes with the main model for the same cores, so no speed-up is expected here. A real pair (e.g. a 0.5B draft for a 7B model, ideally on a GPU) is run with `--model PATH --draft PATH`.'
    : '- Speculative decoding pays off when the draft is much cheaper and agrees often; the ratio above is this pair on this machine.',
  '- Structured output goes through a grammar compiled from the schema (node-llama-cpp) with two repairs of Lore\'s: numbers cannot take a 16-digit exponent (integers none), and byte tokens cannot spell invalid UTF-8 (which llama.cpp\'s grammar matcher lets through). On the small test model, without the first 21 of 60 answers failed validation; with it but without the second, 59 of 200.',
].join('\n');

if (!args['no-write']) writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section: 'Models', body });
process.stdout.write(`${body}\n`);
process.exit(0);
