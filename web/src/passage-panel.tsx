import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Chunk } from './api.js';
import { baseName, errorMessage, formatScore, locationParts } from './format.js';
import { Icon } from './icons.js';
import { closePassage, notify, type PassageTarget } from './store.js';

type Context =
  | { state: 'loading' }
  | { state: 'ready'; before: string; cited: { pre: string; quote: string; post: string }; after: string; chunk: Chunk }
  | { state: 'quote-only'; reason: string };

const CONTEXT_CHARS = 600;

/** The last folders of a path or URL: enough to tell where a file is without a wall of text. */
function shortPath(source: string): string {
  const parts = source.split(/[\\/]+/).filter(Boolean);
  return parts.length > 3 ? `…/${parts.slice(-3).join('/')}` : source;
}

/** Places the quote inside its chunk and the chunks around it, trimming the overlap between chunks. */
function place(target: PassageTarget, chunks: Chunk[]): Context {
  const sorted = [...chunks].sort((a, b) => a.ordinal - b.ordinal);
  const index = sorted.findIndex((c) => c.chunkId === target.chunkId);
  const chunk = sorted[index];
  if (!chunk) return { state: 'quote-only', reason: 'The passage is no longer in this document (it may have been re-ingested).' };
  let from = target.start - chunk.start;
  let to = target.end - chunk.start;
  if (!(from >= 0 && to <= chunk.text.length && chunk.text.slice(from, to) === target.quote)) {
    from = chunk.text.indexOf(target.quote);
    to = from + target.quote.length;
  }
  const cited = from >= 0 ? { pre: chunk.text.slice(0, from), quote: target.quote, post: chunk.text.slice(to) } : { pre: '', quote: chunk.text, post: '' };
  const prev = sorted[index - 1];
  const next = sorted[index + 1];
  // Neighbours may overlap the chunk (split overlap) or be apart from it (a page or section break).
  let before = prev ? prev.text.slice(0, Math.max(0, Math.min(prev.text.length, chunk.start - prev.start))) + (prev.end < chunk.start ? '\n\n' : '') : '';
  let after = next ? (next.start > chunk.end ? '\n\n' : '') + next.text.slice(Math.max(0, chunk.end - next.start)) : '';
  if (before.length > CONTEXT_CHARS) before = '…' + before.slice(-CONTEXT_CHARS).replace(/^\S*\s/, '');
  if (after.length > CONTEXT_CHARS) after = after.slice(0, CONTEXT_CHARS).replace(/\s\S*$/, '') + '…';
  return { state: 'ready', before, cited, after, chunk };
}

/** The side panel: the cited passage highlighted within its context, with its source, page and headings. */
export function PassagePanel({ target }: { target: PassageTarget }) {
  const [context, setContext] = useState<Context>({ state: 'loading' });
  const heading = useRef<HTMLHeadingElement>(null);
  const mark = useRef<HTMLElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, [target]);

  useEffect(() => {
    let live = true;
    setContext({ state: 'loading' });
    const range = target.ordinal !== undefined ? { from: Math.max(0, target.ordinal - 1), to: target.ordinal + 1 } : undefined;
    api
      .chunks(target.documentId, range)
      .then((chunks) => live && setContext(place(target, chunks)))
      .catch((error: unknown) => {
        if (!live) return;
        const reason =
          error instanceof ApiError && error.status === 501
            ? 'This server cannot read the surrounding passage yet; the cited text is shown as quoted.'
            : error instanceof ApiError && error.status === 404
              ? 'The document is no longer in the collection; the cited text is shown as quoted.'
              : `The surrounding passage could not be loaded (${errorMessage(error)}).`;
        setContext({ state: 'quote-only', reason });
      });
    return () => {
      live = false;
    };
  }, [target]);

  useEffect(() => {
    if (context.state === 'ready') mark.current?.scrollIntoView({ block: 'center' });
  }, [context]);

  const name = baseName(target.source);
  const where = locationParts(context.state === 'ready' ? (context.chunk.page ?? target.page) : target.page, context.state === 'ready' && context.chunk.headingPath.length ? context.chunk.headingPath : target.headingPath);
  const copy = () => {
    navigator.clipboard?.writeText(target.quote).then(
      () => notify('Quote copied', 'success'),
      () => notify('Could not copy to the clipboard', 'error'),
    );
  };

  return (
    <aside class="panel" aria-labelledby="panel-title" data-testid="passage-panel">
      <header class="panel-head">
        <div class="panel-kicker">{target.label}</div>
        <button type="button" class="icon-button" aria-label="Close passage (Esc)" title="Close (Esc)" onClick={closePassage}>
          <Icon name="close" />
        </button>
      </header>
      <h2 id="panel-title" class="panel-title" tabIndex={-1} ref={heading}>
        <Icon name="file" />
        <span>{name}</span>
      </h2>
      {target.title && target.title !== name ? <p class="panel-doc-title">{target.title}</p> : null}
      <div class="panel-meta">
        <span class="tag">{target.collection}</span>
        {where.map((part) => (
          <span class="panel-where">{part}</span>
        ))}
        {target.score !== undefined ? <span class="panel-score">score {formatScore(target.score)}</span> : null}
      </div>
      <div class="panel-body">
        {context.state === 'loading' ? (
          <div class="passage passage-loading" aria-busy="true">
            <div class="skeleton" />
            <div class="skeleton" />
            <div class="skeleton short" />
          </div>
        ) : context.state === 'ready' ? (
          <blockquote class="passage" data-testid="passage">
            {context.before ? <span class="passage-context">{context.before}</span> : null}
            {context.cited.pre}
            <mark ref={mark} class="passage-quote">
              {context.cited.quote}
            </mark>
            {context.cited.post}
            {context.after ? <span class="passage-context">{context.after}</span> : null}
          </blockquote>
        ) : (
          <>
            <blockquote class="passage" data-testid="passage">
              <mark class="passage-quote">{target.quote}</mark>
            </blockquote>
            <p class="panel-note">{context.reason}</p>
          </>
        )}
      </div>
      <footer class="panel-foot">
        <button type="button" class="button ghost small" onClick={copy}>
          <Icon name="copy" size={16} /> Copy quote
        </button>
        <span class="panel-source" title={target.source}>
          {shortPath(target.source)}
        </span>
      </footer>
    </aside>
  );
}
