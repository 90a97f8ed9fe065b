import type { LoadedDocument, Metadata } from '../spec/document.js';
import { detectInjectionByRules } from './detect-injection.js';
import { BIDI_RE, ZERO_WIDTH_RE } from './normalize-input.js';
import { findHiddenHtmlText } from './scan-hidden-html.js';

/**
 * Flags on a chunk (`metadata.guard`), each a reason to distrust it as a source:
 * - `instruction`: it reads as instructions to a model (the rule layer flags it);
 * - `hidden-text`: it holds text styled to be invisible (HTML zero font size, white text…);
 * - `zero-width`, `bidi`: invisible characters or reordering controls that make what a reader sees differ
 *   from what a model reads.
 */
export type ChunkFlag = 'instruction' | 'hidden-text' | 'zero-width' | 'bidi';

export interface FlagChunksResult {
  /** Chunks that received at least one flag. */
  flaggedChunks: number;
  /** Document-level findings for its metadata (`guard`): e.g. `hidden-html-instruction`. */
  documentFlags: string[];
  /** One line each, for the ingest report. */
  warnings: string[];
}

/** Zero-width characters inside words: one stray ZWSP from a copied web page is not a finding, three are. */
const MIN_INVISIBLE = 3;

/** The flags of one chunk's text; empty when it looks like ordinary content. */
export function flagChunkText(options: { text: string }): ChunkFlag[] {
  const flags: ChunkFlag[] = [];
  const { text } = options;
  // ROT13 and reversed text are left to the full detector: documents rarely hide instructions that way, and
  // the two extra passes tripled the cost of every chunk.
  if (detectInjectionByRules({ text, transforms: false }).flagged) flags.push('instruction');
  ZERO_WIDTH_RE.lastIndex = 0;
  if ((text.match(ZERO_WIDTH_RE)?.length ?? 0) >= MIN_INVISIBLE) flags.push('zero-width');
  BIDI_RE.lastIndex = 0;
  // Right-to-left marks are ordinary in Arabic and Hebrew; overrides and isolates around Latin text are not.
  if (/[\u202a-\u202e\u2066-\u2069]/.test(text)) flags.push('bidi');
  return flags;
}

/**
 * Ingestion's guard: sets `metadata.guard` on each chunk that carries instructions to a model or text a
 * reader cannot see, and returns document-level findings. For HTML it also reads the raw page for hidden
 * elements and comments. PDFs: text drawn below one point is flagged (the loader samples it); white text and
 * the invisible render mode are not visible in pdf.js's text layer, so that hiding is not detected
 * (instructions in such text are still caught by the rules, like any text).
 * Never throws: a scan that fails leaves the chunks unflagged.
 */
export function flagDocumentChunks(options: { doc: LoadedDocument; bytes?: Uint8Array; chunks: Array<{ text: string; metadata: Metadata }> }): FlagChunksResult {
  const { doc, chunks } = options;
  const result: FlagChunksResult = { flaggedChunks: 0, documentFlags: [], warnings: [] };
  try {
    const hiddenKept: string[] = [];
    if (doc.metadata['type'] === 'html' && options.bytes) {
      const html = new TextDecoder('utf-8').decode(options.bytes.subarray(0, 20 * 1024 * 1024));
      const hidden = findHiddenHtmlText({ html });
      const instructions = hidden.filter((h) => detectInjectionByRules({ text: h.text }).flagged);
      for (const h of hidden) if (h.kind === 'kept') hiddenKept.push(h.text);
      if (hidden.some((h) => h.kind === 'kept')) result.documentFlags.push('hidden-text');
      if (instructions.length > 0) {
        result.documentFlags.push('hidden-instruction');
        const ways = [...new Set(instructions.map((h) => h.how))].join(', ');
        result.warnings.push(
          `${doc.source}: ${instructions.length} hidden part${instructions.length === 1 ? '' : 's'} of the page (${ways}) read${instructions.length === 1 ? 's' : ''} as instructions to a model: “${instructions[0]!.text.slice(0, 80)}”`,
        );
      }
    }
    // PDFs: the loader samples text drawn below one point (metadata.tinyText); white text and the invisible
    // render mode are not visible in pdf.js's text layer (see docs/guard.md).
    const tiny = Array.isArray(doc.metadata['tinyText']) ? (doc.metadata['tinyText'] as unknown[]).map(String) : [];
    if (tiny.length > 0) {
      hiddenKept.push(...tiny);
      result.documentFlags.push('hidden-text');
      const instructions = tiny.filter((t) => detectInjectionByRules({ text: t }).flagged);
      if (instructions.length > 0) {
        result.documentFlags.push('hidden-instruction');
        result.warnings.push(`${doc.source}: text drawn too small to see (below 1 pt) reads as instructions to a model: “${instructions[0]!.slice(0, 80)}”`);
      }
    }
    for (const chunk of chunks) {
      const flags = flagChunkText({ text: chunk.text });
      if (hiddenKept.some((h) => containsSnippet(chunk.text, h))) flags.push('hidden-text');
      if (flags.length === 0) continue;
      chunk.metadata = { ...chunk.metadata, guard: flags };
      result.flaggedChunks++;
    }
    const instructionChunks = chunks.filter((c) => Array.isArray(c.metadata['guard']) && (c.metadata['guard'] as string[]).includes('instruction')).length;
    if (instructionChunks > 0) {
      result.documentFlags.push('instruction');
      result.warnings.push(`${doc.source}: ${instructionChunks} chunk${instructionChunks === 1 ? '' : 's'} read${instructionChunks === 1 ? 's' : ''} as instructions to a model (possible prompt injection); flagged in metadata.guard`);
    }
  } catch {
    // The guard must never stop ingestion.
  }
  return result;
}

/** Whether the chunk contains the start of the hidden text (whitespace-insensitive). */
function containsSnippet(chunk: string, hidden: string): boolean {
  const probe = hidden.replace(/\s+/g, ' ').trim().slice(0, 40);
  if (probe.length < 8) return false;
  return chunk.replace(/\s+/g, ' ').includes(probe);
}
