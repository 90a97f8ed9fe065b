import { useEffect, useRef, useState } from 'preact/hooks';
import { api, sendMessage, type Citation, type Collection, type SearchHit, type Session } from './api.js';
import { baseName, errorMessage, locationParts, modelLabel, timeAgo } from './format.js';
import { Icon, Logo } from './icons.js';
import { citationLabel, RichText } from './rich-text.js';
import { href, navigate } from './router.js';
import { dataVersion, notify, openPassage, useStore } from './store.js';

interface UserMessage {
  role: 'user';
  id: string;
  text: string;
}

interface AssistantMessage {
  role: 'assistant';
  id: string;
  text: string;
  citations: Citation[];
  hits: SearchHit[];
  streaming: boolean;
  stopped?: boolean;
  error?: string;
  note?: string;
  model?: string;
  mode?: 'extractive' | 'generative';
}

type Message = UserMessage | AssistantMessage;

const EXTRACTIVE = 'extractive';
let messageId = 0;
const nextId = () => `m${++messageId}`;

function remembered(name: string): string | null {
  try {
    return localStorage.getItem(`lore.chat.${name}`);
  } catch {
    return null;
  }
}

function remember(name: string, value: string): void {
  try {
    localStorage.setItem(`lore.chat.${name}`, value);
  } catch {
    /* not kept */
  }
}

function openCitation(citation: Citation, trigger: HTMLElement, hits: readonly SearchHit[]): void {
  openPassage(
    {
      ...citation,
      ordinal: hits.find((h) => h.chunkId === citation.chunkId)?.ordinal,
      label: `Source ${citation.n}`,
    },
    trigger,
  );
}

function Sources({ message }: { message: AssistantMessage }) {
  const cited = [...new Map(message.citations.map((c) => [c.n, c])).values()].sort((a, b) => a.n - b.n);
  if (cited.length === 0) return null;
  return (
    <div class="sources">
      <div class="sources-label">Sources</div>
      <ul class="sources-list">
        {cited.map((c) => (
          <li>
            <button type="button" class="source-card" aria-label={`Open ${citationLabel(c)}`} onClick={(e) => openCitation(c, e.currentTarget, message.hits)}>
              <span class="cite cite-static">{c.n}</span>
              <span class="source-name">{c.title || baseName(c.source)}</span>
              {locationParts(c.page, c.headingPath).length ? <span class="source-where">{locationParts(c.page, c.headingPath).join(' · ')}</span> : null}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function AssistantBubble({ message }: { message: AssistantMessage }) {
  return (
    <article class="msg msg-assistant" aria-busy={message.streaming ? 'true' : 'false'} data-testid="answer">
      <div class="msg-avatar" aria-hidden="true">
        <Logo size={26} />
      </div>
      <div class="msg-body">
        {message.text ? (
          <div class={message.streaming ? 'answer streaming' : 'answer'}>
            <RichText text={message.text} citations={message.citations} final={!message.streaming} onCite={(c, el) => openCitation(c, el, message.hits)} />
          </div>
        ) : message.streaming ? (
          <div class="typing" aria-label="Searching and writing">
            <span />
            <span />
            <span />
          </div>
        ) : null}
        {message.error ? (
          <div class="msg-error" role="alert">
            <Icon name="alert" size={16} /> {message.error}
          </div>
        ) : null}
        {message.stopped ? <p class="msg-note">Stopped.</p> : null}
        {message.note ? <p class="msg-note">{message.note}</p> : null}
        {!message.streaming ? <Sources message={message} /> : null}
        {!message.streaming && message.mode ? (
          <div class="msg-meta">{message.mode === 'extractive' ? 'Extractive answer: sentences quoted from your documents' : `Written by ${message.model ? modelLabel(message.model) : 'the model'}`}</div>
        ) : null}
      </div>
    </article>
  );
}

function EmptyChat({ collections, collection }: { collections: Collection[]; collection: string }) {
  const scope = collection ? collections.filter((c) => c.name === collection) : collections;
  const docs = scope.reduce((n, c) => n + c.documentCount, 0);
  return (
    <div class="empty-chat">
      <Logo size={44} />
      <h2>Ask your documents</h2>
      {docs > 0 ? (
        <p>
          Answers come from {docs} {docs === 1 ? 'document' : 'documents'} {collection ? `in ${collection}` : `in ${scope.length} ${scope.length === 1 ? 'collection' : 'collections'}`}, with numbered citations you can open.
        </p>
      ) : (
        <p>
          Nothing to search yet. <a href={href('collections')}>Add documents to a collection</a> first.
        </p>
      )}
      <ul class="tips">
        <li>
          <kbd>Enter</kbd> sends, <kbd>Shift</kbd> + <kbd>Enter</kbd> adds a line
        </li>
        <li>
          Click a <span class="cite cite-static">1</span> to see the passage it cites
        </li>
        <li>
          <kbd>/</kbd> opens search, <kbd>Esc</kbd> closes the passage
        </li>
      </ul>
    </div>
  );
}

export function ChatView({ sessionId }: { sessionId?: string }) {
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [collections, setCollections] = useState<Collection[]>([]);
  const [models, setModels] = useState<string[] | null>(null);
  const [collection, setCollection] = useState(() => remembered('collection') ?? '');
  const [model, setModel] = useState(() => remembered('model') ?? '');
  const [locked, setLocked] = useState<{ collection: string; model: string } | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState('');
  const [drawer, setDrawer] = useState(false);
  const active = useRef<string | undefined>(undefined);
  const abort = useRef<AbortController | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const version = useStore(dataVersion);

  const refreshSessions = () =>
    api.sessions().then(setSessions, (error: unknown) => {
      setSessions([]);
      notify(`Could not load conversations: ${errorMessage(error)}`, 'error');
    });

  useEffect(() => {
    void refreshSessions();
    api.models().then(setModels, () => setModels([]));
    return () => abort.current?.abort();
  }, []);

  useEffect(() => {
    api.collections().then(setCollections, () => setCollections([]));
  }, [version]);

  // The model picker defaults to the server's answer model (its first), or extractive answers without one.
  const modelChoice = models === null ? model : model === EXTRACTIVE || models.includes(model) ? model : (models[0] ?? EXTRACTIVE);
  const collectionChoice = collection && !collections.some((c) => c.name === collection) && collections.length > 0 ? '' : collection;

  // Follow the route: #/chat is a new conversation, #/chat/<id> an existing one.
  useEffect(() => {
    if (sessionId === active.current) return;
    abort.current?.abort();
    active.current = sessionId;
    setDrawer(false);
    if (!sessionId) {
      setMessages([]);
      setLocked(null);
      input.current?.focus();
      return;
    }
    setLoading(true);
    setMessages([]);
    api
      .session(sessionId)
      .then(({ session, turns }) => {
        if (active.current !== sessionId) return;
        setLocked({ collection: typeof session.settings['collection'] === 'string' ? session.settings['collection'] : '', model: typeof session.settings['model'] === 'string' ? session.settings['model'] : '' });
        setMessages(
          turns.map((t): Message =>
            t.role === 'user'
              ? { role: 'user', id: nextId(), text: t.content }
              : { role: 'assistant', id: nextId(), text: t.content, citations: (t.citations ?? []) as Citation[], hits: [], streaming: false },
          ),
        );
      })
      .catch((error: unknown) => {
        if (active.current !== sessionId) return;
        notify(`Could not open the conversation: ${errorMessage(error)}`, 'error');
        navigate('chat');
      })
      .finally(() => setLoading(false));
  }, [sessionId]);

  // Keep the newest text in view while it streams, unless the reader scrolled up.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 160 || !busy) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const send = async () => {
    const question = draft.trim();
    if (!question || busy) return;
    setDraft('');
    setBusy(true);
    const controller = new AbortController();
    abort.current = controller;
    const botId = nextId();
    setMessages((list) => [...list, { role: 'user', id: nextId(), text: question }, { role: 'assistant', id: botId, text: '', citations: [], hits: [], streaming: true }]);
    const update = (change: (m: AssistantMessage) => AssistantMessage) => setMessages((list) => list.map((m) => (m.id === botId && m.role === 'assistant' ? change(m) : m)));
    try {
      let id = active.current;
      if (!id) {
        const settings = { collection: collectionChoice, model: modelChoice };
        const session = await api.createSession({ collection: settings.collection || undefined, model: settings.model || undefined });
        id = session.id;
        active.current = id;
        setLocked(settings);
        navigate('chat', id);
      }
      await sendMessage(
        id,
        question,
        {
          onText: (delta) => update((m) => ({ ...m, text: m.text + delta })),
          onHits: (hits) => update((m) => ({ ...m, hits })),
          onAnswer: (answer) => update((m) => ({ ...m, text: answer.text, citations: answer.citations ?? [], note: answer.note, model: answer.model, mode: answer.mode })),
        },
        controller.signal,
      );
    } catch (error) {
      if (controller.signal.aborted) update((m) => ({ ...m, stopped: true }));
      else update((m) => ({ ...m, error: errorMessage(error) }));
    } finally {
      update((m) => ({ ...m, streaming: false }));
      if (abort.current === controller) abort.current = null;
      setBusy(false);
      void refreshSessions();
      input.current?.focus();
    }
  };

  const remove = async (session: Session) => {
    try {
      await api.deleteSession(session.id);
      setSessions((list) => (list ?? []).filter((s) => s.id !== session.id));
      notify('Conversation deleted', 'success');
      if (active.current === session.id) navigate('chat');
    } catch (error) {
      notify(`Could not delete: ${errorMessage(error)}`, 'error');
    }
  };

  const current = sessions?.find((s) => s.id === active.current);
  const title = current?.title || (messages.length ? (messages[0]?.text ?? 'Conversation') : 'New conversation');
  const rows = Math.min(8, Math.max(1, draft.split('\n').length));
  const pickers = locked ?? { collection: collectionChoice, model: modelChoice };
  const lockedHint = locked ? 'Fixed for this conversation: start a new chat to change it' : undefined;

  return (
    <div class={drawer ? 'chat-layout drawer-open' : 'chat-layout'}>
      <aside class="sessions" aria-label="Conversations">
        <a class="button primary block" href={href('chat')} onClick={() => (sessionId ? undefined : input.current?.focus())}>
          <Icon name="plus" size={16} /> New chat
        </a>
        <h2 class="sidebar-label">History</h2>
        {sessions === null ? (
          <div class="skeleton-list">
            <div class="skeleton" />
            <div class="skeleton" />
          </div>
        ) : sessions.length === 0 ? (
          <p class="sidebar-empty">Your conversations will appear here.</p>
        ) : (
          <ul class="session-list" data-testid="session-list">
            {sessions.map((s) => {
              const name = s.title || 'New conversation';
              const where = typeof s.settings['collection'] === 'string' ? s.settings['collection'] : 'All collections';
              return (
                <li class={s.id === sessionId ? 'session active' : 'session'} key={s.id}>
                  <a href={href('chat', s.id)} aria-current={s.id === sessionId ? 'page' : undefined}>
                    <span class="session-title">{name}</span>
                    <span class="session-meta">
                      {timeAgo(s.updatedAt)} · {where}
                    </span>
                  </a>
                  <button type="button" class="icon-button session-delete" aria-label={`Delete conversation “${name}”`} title="Delete" onClick={() => void remove(s)}>
                    <Icon name="trash" size={16} />
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </aside>
      <div class="drawer-backdrop" aria-hidden="true" onClick={() => setDrawer(false)} />
      <section class="conversation" aria-label="Conversation">
        <header class="chat-head">
          <button type="button" class="icon-button drawer-toggle" aria-label="Show conversations" aria-expanded={drawer} onClick={() => setDrawer(!drawer)}>
            <Icon name="history" />
          </button>
          <h1 class="chat-title" title={title}>
            {title}
          </h1>
          <div class="pickers">
            <label class="picker" title={lockedHint}>
              <Icon name="database" size={16} />
              <span class="visually-hidden">Collection</span>
              <select
                aria-label="Collection"
                value={pickers.collection}
                disabled={locked !== null}
                onChange={(e) => {
                  setCollection(e.currentTarget.value);
                  remember('collection', e.currentTarget.value);
                }}
              >
                <option value="">All collections</option>
                {collections.map((c) => (
                  <option value={c.name}>{c.name}</option>
                ))}
                {pickers.collection && !collections.some((c) => c.name === pickers.collection) ? <option value={pickers.collection}>{pickers.collection}</option> : null}
              </select>
            </label>
            <label class="picker" title={lockedHint ?? (models?.length ? undefined : 'Start lore serve with --model to get written answers')}>
              <Icon name="spark" size={16} />
              <span class="visually-hidden">Model</span>
              <select
                aria-label="Model"
                value={pickers.model || (models?.[0] ?? EXTRACTIVE)}
                disabled={locked !== null}
                onChange={(e) => {
                  setModel(e.currentTarget.value);
                  remember('model', e.currentTarget.value);
                }}
              >
                {(models ?? []).map((m) => (
                  <option value={m}>{m}</option>
                ))}
                <option value={EXTRACTIVE}>Extractive (quotes, no model)</option>
                {pickers.model && pickers.model !== EXTRACTIVE && models && !models.includes(pickers.model) ? <option value={pickers.model}>{pickers.model}</option> : null}
              </select>
            </label>
          </div>
        </header>
        <div class="messages" ref={scroller} role="log" aria-label="Messages" aria-busy={busy || loading ? 'true' : 'false'}>
          <div class="messages-inner">
            {loading ? (
              <div class="skeleton-list">
                <div class="skeleton" />
                <div class="skeleton" />
                <div class="skeleton short" />
              </div>
            ) : messages.length === 0 ? (
              <EmptyChat collections={collections} collection={pickers.collection} />
            ) : (
              messages.map((m) =>
                m.role === 'user' ? (
                  <div class="msg msg-user" key={m.id}>
                    <div class="bubble">{m.text}</div>
                  </div>
                ) : (
                  <AssistantBubble key={m.id} message={m} />
                ),
              )
            )}
          </div>
        </div>
        <form
          class="composer"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <div class="composer-box">
            <textarea
              id="chat-input"
              ref={input}
              rows={rows}
              value={draft}
              placeholder="Ask a question about your documents…"
              aria-label="Question"
              aria-describedby="composer-hint"
              autoFocus
              onInput={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                  e.preventDefault();
                  void send();
                }
              }}
            />
            {busy ? (
              <button type="button" class="send-button stop" aria-label="Stop answering" title="Stop" onClick={() => abort.current?.abort()}>
                <Icon name="stop" />
              </button>
            ) : (
              <button type="submit" class="send-button" aria-label="Send" title="Send (Enter)" disabled={!draft.trim()}>
                <Icon name="send" />
              </button>
            )}
          </div>
          <p id="composer-hint" class="composer-hint">
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd> + <kbd>Enter</kbd> for a new line
          </p>
        </form>
      </section>
    </div>
  );
}
