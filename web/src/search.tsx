import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Collection, type SearchHit, type SearchMode, type SearchResult } from './api.js';
import { baseName, errorMessage, formatScore, locationParts } from './format.js';
import { Icon } from './icons.js';
import { dataVersion, openPassage, useStore } from './store.js';

const MODES: Array<{ mode: SearchMode; label: string; about: string; score: keyof SearchHit['scores'] }> = [
  { mode: 'keyword', label: 'Keyword', about: 'BM25 over words and Chinese bigrams', score: 'keyword' },
  { mode: 'vector', label: 'Vector', about: 'Embedding similarity (meaning, not words)', score: 'vector' },
  { mode: 'hybrid', label: 'Hybrid', about: 'Both, fused by rank', score: 'fused' },
];

interface SearchState {
  query: string;
  collection: string;
  k: number;
  results: SearchResult[] | null;
  error: string | null;
  asked: string;
}

// Kept across visits to the tab, so that going to a citation and back keeps the results.
let saved: SearchState = { query: '', collection: '', k: 10, results: null, error: null, asked: '' };

/** Words of the query (Latin, 3+ letters) marked in a hit's text, as elements. */
const STOPWORDS = new Set('the and for are but not you all any can had her was one our out has have how its may who what when where which why with this that these those from into does did should would could about than then them they there their will shall must been being often much many more most some such only also very'.split(' '));

const CJK_END = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]$/u;
const CJK_START = /^[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;

/** A snippet's lines: wrapped source lines joined, headings and list items kept on lines of their own. */
function snippet(raw: string): string {
  const out: string[] = [];
  for (const line of raw.split('\n')) {
    const text = line.trim();
    if (!text) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && !/^(#|[-*•]\s|\d+[.)]\s)/.test(prev) && !/^(#|[-*•]\s|\d+[.)]\s)/.test(text)) out[out.length - 1] = CJK_END.test(prev) && CJK_START.test(text) ? prev + text : `${prev} ${text}`;
    else out.push(text);
  }
  return out.join('\n');
}

function highlight(raw: string, query: string): ComponentChildren[] {
  const text = snippet(raw);
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])].filter((w) => /^[\p{Script=Latin}\p{N}]+$/u.test(w) && !STOPWORDS.has(w));
  if (words.length === 0) return [text];
  const pattern = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu');
  return text.split(pattern).map((part, i) => (i % 2 === 1 ? <mark>{part}</mark> : part));
}

function HitCard({ hit, rank, mode, query, alsoIn }: { hit: SearchHit; rank: number; mode: (typeof MODES)[number]; query: string; alsoIn: string[] }) {
  const where = locationParts(hit.page, hit.headingPath);
  const main = hit.scores[mode.score] ?? hit.score;
  const others = MODES.filter((m) => m.score !== mode.score && hit.scores[m.score] !== undefined);
  return (
    <li>
      <button
        type="button"
        class="hit"
        data-testid="hit"
        aria-label={`${mode.label} result ${rank}: ${hit.title || baseName(hit.source)}, score ${formatScore(main)}. Open the passage`}
        onClick={(e) =>
          openPassage(
            { ...hit, quote: hit.text, label: `${mode.label} · result ${rank}`, score: main },
            e.currentTarget,
          )
        }
      >
        <div class="hit-head">
          <span class="hit-rank">{rank}</span>
          <span class="hit-source">{hit.title || baseName(hit.source)}</span>
          <span class="hit-score" title={`${mode.label} score`}>
            {formatScore(main)}
          </span>
        </div>
        {where.length ? <div class="hit-where">{where.join(' · ')}</div> : null}
        <p class="hit-text">{highlight(hit.text, query)}</p>
        <div class="hit-foot">
          {others.map((m) => (
            <span class="hit-subscore">
              {m.label.toLowerCase()} {formatScore(hit.scores[m.score])}
            </span>
          ))}
          {alsoIn.length ? <span class="hit-also">also in {alsoIn.join(', ')}</span> : <span class="hit-also only">only here</span>}
        </div>
      </button>
    </li>
  );
}

function Column({ result, query, all }: { result: SearchResult; query: string; all: SearchResult[] }) {
  const mode = MODES.find((m) => m.mode === result.mode) ?? MODES[0]!;
  return (
    <section class="result-column" data-mode={result.mode} aria-labelledby={`col-${result.mode}`} data-testid="result-column">
      <header class="column-head">
        <h2 id={`col-${result.mode}`}>{mode.label}</h2>
        <span class="column-stats">
          {result.hits.length} {result.hits.length === 1 ? 'hit' : 'hits'} · {Math.round(result.tookMs)} ms
        </span>
        <p class="column-about">{mode.about}</p>
      </header>
      {result.notes.map((note) => (
        <p class="column-note">
          <Icon name="alert" size={14} /> {note}
        </p>
      ))}
      {result.hits.length === 0 ? (
        <p class="empty-note">No results.</p>
      ) : (
        <ol class="hit-list">
          {result.hits.map((hit, i) => (
            <HitCard
              key={hit.chunkId}
              hit={hit}
              rank={i + 1}
              mode={mode}
              query={query}
              alsoIn={all.filter((r) => r.mode !== result.mode && r.hits.some((h) => h.chunkId === hit.chunkId)).map((r) => MODES.find((m) => m.mode === r.mode)?.label.toLowerCase() ?? r.mode)}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

export function SearchView() {
  const [state, setState] = useState<SearchState>(saved);
  const [busy, setBusy] = useState(false);
  const [collections, setCollections] = useState<Collection[]>([]);
  const version = useStore(dataVersion);
  const set = (change: Partial<SearchState>) =>
    setState((s) => {
      saved = { ...s, ...change };
      return saved;
    });

  useEffect(() => {
    api.collections().then(setCollections, () => setCollections([]));
  }, [version]);

  const run = async (e?: Event) => {
    e?.preventDefault();
    const query = state.query.trim();
    if (!query) return;
    setBusy(true);
    try {
      const response = await api.search({ query, modes: MODES.map((m) => m.mode), k: state.k, collection: state.collection || undefined });
      set({ results: response.results, error: null, asked: query });
    } catch (error) {
      set({ error: errorMessage(error), results: null, asked: query });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="search-layout">
      <header class="search-head">
        <h1 class="pane-title">Search playground</h1>
        <p class="search-intro">One query, three retrievers: see what keyword, vector and hybrid search find, and how they score it.</p>
        <form class="search-form" role="search" onSubmit={run}>
          <div class="search-box">
            <Icon name="search" />
            <input
              id="search-query"
              type="search"
              class="search-input"
              placeholder="Search your documents…"
              aria-label="Search query"
              value={state.query}
              onInput={(e) => set({ query: e.currentTarget.value })}
              autoComplete="off"
            />
            <kbd class="search-kbd" aria-hidden="true">
              /
            </kbd>
          </div>
          <label class="picker">
            <Icon name="database" size={16} />
            <select aria-label="Collection" value={state.collection} onChange={(e) => set({ collection: e.currentTarget.value })}>
              <option value="">All collections</option>
              {collections.map((c) => (
                <option value={c.name}>{c.name}</option>
              ))}
            </select>
          </label>
          <label class="picker">
            <span class="picker-text">Top</span>
            <select aria-label="Results per mode" value={String(state.k)} onChange={(e) => set({ k: Number(e.currentTarget.value) })}>
              {[5, 10, 20].map((k) => (
                <option value={String(k)}>{k}</option>
              ))}
            </select>
          </label>
          <button type="submit" class="button primary" disabled={busy || !state.query.trim()}>
            {busy ? <span class="spinner" aria-hidden="true" /> : null}
            Search
          </button>
        </form>
      </header>
      {state.error ? (
        <div class="msg-error" role="alert">
          <Icon name="alert" size={16} /> {state.error}
        </div>
      ) : null}
      {state.results ? (
        <div class="result-columns" aria-busy={busy ? 'true' : 'false'} data-testid="result-columns">
          {state.results.map((r) => (
            <Column key={r.mode} result={r} query={state.asked} all={state.results!} />
          ))}
        </div>
      ) : !state.error ? (
        <div class="empty-chat search-empty">
          <Icon name="search" size={40} />
          <h2>Compare retrievers side by side</h2>
          <p>Keyword search matches words, vector search matches meaning, hybrid fuses both. Click a result to read it in context.</p>
        </div>
      ) : null}
    </div>
  );
}
