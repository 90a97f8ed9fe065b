// The REST API of `lore serve` (docs/server.md), as the web UI uses it.

export interface Collection {
  name: string;
  documentCount: number;
  chunkCount: number;
  createdAt: string;
  embedder: string | null;
}

export type DocumentStatus = 'queued' | 'ingesting' | 'embedding' | 'ready' | 'failed';

export interface Problem {
  code: string;
  message: string;
}

export interface DocumentItem {
  id: string | null;
  documentId: number | null;
  collection: string;
  name: string;
  source: string | null;
  type: string | null;
  title: string | null;
  bytes: number | null;
  chunkCount: number;
  status: DocumentStatus;
  error: Problem | null;
  warnings: string[];
  jobId: string | null;
  updatedAt: string | null;
}

export interface JobFile {
  name: string;
  bytes: number;
  status: DocumentStatus;
  documentId: string | null;
  error: Problem | null;
  warnings: string[];
}

export interface Job {
  id: string;
  collection: string;
  kind: 'upload' | 'reingest';
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  phase: 'queued' | 'loading' | 'embedding' | 'done';
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  files: JobFile[];
  progress: { filesDone: number; filesTotal: number; chunks: number; embedded: number; embedTotal: number };
  error: Problem | null;
}

export type SearchMode = 'keyword' | 'vector' | 'hybrid';

export interface SearchHit {
  chunkId: number;
  documentId: number;
  collection: string;
  source: string;
  title: string | null;
  mimeType: string;
  ordinal: number;
  text: string;
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
  score: number;
  scores: { keyword?: number; vector?: number; fused?: number; rerank?: number };
}

export interface SearchResult {
  mode: SearchMode;
  hits: SearchHit[];
  notes: string[];
  tookMs: number;
}

export interface Citation {
  n: number;
  source: string;
  title: string | null;
  page: number | null;
  headingPath: string[];
  quote: string;
  start: number;
  end: number;
  chunkId: number;
  documentId: number;
  collection: string;
  score: number;
}

export interface Answer {
  question: string;
  mode: 'extractive' | 'generative';
  text: string;
  citations: Citation[];
  note?: string;
  model?: string;
}

export interface Session {
  id: string;
  title: string | null;
  settings: Record<string, unknown>;
  turnCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  standalone: string | null;
  citations: Citation[];
  createdAt: string;
}

export interface Chunk {
  chunkId: number;
  ordinal: number;
  text: string;
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// ---- API key (only needed when the server requires keys) ----

const KEY_STORAGE = 'lore.apiKey';

export function apiKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    /* storage unavailable: the key lasts until reload */
  }
}

function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const key = apiKey();
  return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
}

/** Tells the app that the server wants a key: it shows the key form. */
export const UNAUTHORIZED_EVENT = 'lore:unauthorized';

async function toApiError(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || `Request failed (${res.status})`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; type?: string } };
    if (body.error?.message) message = body.error.message;
    if (body.error?.code) code = body.error.code;
  } catch {
    /* not JSON */
  }
  if (res.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
  return new ApiError(res.status, code, message);
}

async function request(path: string, init: RequestInit & { accept?: string } = {}): Promise<Response> {
  const headers = authHeaders({ accept: init.accept ?? 'application/json', ...(init.body && typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}) });
  const res = await fetch(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  if (!res.ok) throw await toApiError(res);
  return res;
}

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  return (await (await request(path, init)).json()) as T;
}

const enc = encodeURIComponent;

// ---- server-sent events over fetch (POST bodies rule out EventSource) ----

export interface StreamEvent {
  type: string;
  [field: string]: unknown;
}

/** Reads an SSE response body, calling `onEvent` for each event as it arrives. */
export async function readEventStream(res: Response, onEvent: (event: StreamEvent) => void): Promise<void> {
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const flush = (block: string) => {
    const data: string[] = [];
    let name = 'message';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    try {
      const parsed = JSON.parse(data.join('\n')) as StreamEvent;
      onEvent({ ...parsed, type: typeof parsed.type === 'string' ? parsed.type : name });
    } catch {
      /* not JSON: not one of ours */
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      flush(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
  if (buffer.trim()) flush(buffer);
}

// ---- endpoints ----

export const api = {
  collections: () => json<{ collections: Collection[] }>('/api/collections').then((r) => r.collections),
  createCollection: (name: string) => json<{ collection: Collection; created: boolean }>('/api/collections', { method: 'POST', body: JSON.stringify({ name }) }),
  deleteCollection: (name: string) => json<{ deleted: boolean }>(`/api/collections/${enc(name)}`, { method: 'DELETE' }),
  documents: (collection: string) => json<{ documents: DocumentItem[] }>(`/api/collections/${enc(collection)}/documents`).then((r) => r.documents),
  deleteDocument: (id: string) => json<{ deleted: boolean }>(`/api/documents/${enc(id)}`, { method: 'DELETE' }),
  reingest: (id: string) => json<{ job: Job }>(`/api/documents/${enc(id)}/reingest`, { method: 'POST' }).then((r) => r.job),
  job: (id: string) => json<{ job: Job }>(`/api/jobs/${enc(id)}`).then((r) => r.job),
  chunks: (documentId: number | string, range?: { from: number; to: number }) =>
    json<{ chunks: Chunk[] }>(`/api/documents/${enc(String(documentId))}/chunks${range ? `?from=${range.from}&to=${range.to}` : ''}`).then((r) => r.chunks),
  search: (body: { query: string; modes: SearchMode[]; k: number; collection?: string }) =>
    json<{ query: string; results: SearchResult[] }>('/api/search', { method: 'POST', body: JSON.stringify(body) }),
  sessions: () => json<{ sessions: Session[] }>('/api/sessions').then((r) => r.sessions),
  createSession: (body: { collection?: string; model?: string; title?: string }) =>
    json<{ session: Session }>('/api/sessions', { method: 'POST', body: JSON.stringify(body) }).then((r) => r.session),
  session: (id: string) => json<{ session: Session; turns: Turn[] }>(`/api/sessions/${enc(id)}`),
  deleteSession: (id: string) => json<{ deleted: boolean }>(`/api/sessions/${enc(id)}`, { method: 'DELETE' }),
  /** The language models the server offers (besides `lore/<collection>`); the first writes answers by default. */
  models: () =>
    json<{ data: Array<{ id: string; owned_by: string }> }>('/v1/models').then((r) => r.data.filter((m) => !m.id.startsWith('lore/')).map((m) => m.id)),
};

export interface MessageHandlers {
  onText(delta: string): void;
  onHits(hits: SearchHit[]): void;
  onAnswer(answer: Answer, standalone?: string): void;
}

/** Asks the next question of a conversation; the answer streams in through the handlers. */
export async function sendMessage(sessionId: string, question: string, handlers: MessageHandlers, signal: AbortSignal): Promise<void> {
  const res = await request(`/api/sessions/${enc(sessionId)}/messages`, { method: 'POST', body: JSON.stringify({ question }), accept: 'text/event-stream', signal });
  let answered = false;
  await readEventStream(res, (event) => {
    if (event.type === 'text') handlers.onText(String(event['delta'] ?? ''));
    else if (event.type === 'hits') handlers.onHits((event['hits'] as SearchHit[]) ?? []);
    else if (event.type === 'answer') {
      answered = true;
      handlers.onAnswer(event['answer'] as Answer, typeof event['standalone'] === 'string' ? event['standalone'] : undefined);
    } else if (event.type === 'error') {
      const error = (event['error'] ?? {}) as Partial<Problem>;
      throw new ApiError(500, error.code ?? 'ERROR', error.message ?? 'The answer failed');
    }
  });
  if (!answered && !signal.aborted) throw new ApiError(502, 'STREAM_ENDED', 'The answer stream ended early');
}

const TERMINAL = new Set(['done', 'failed', 'cancelled']);
export const isFinished = (job: Job): boolean => TERMINAL.has(job.status);

/** Follows an ingestion job: its event stream, or polling if the stream breaks, until it finishes. */
export async function followJob(id: string, onJob: (job: Job) => void, signal: AbortSignal): Promise<Job | undefined> {
  let last: Job | undefined;
  try {
    const res = await request(`/api/jobs/${enc(id)}/events`, { accept: 'text/event-stream', signal });
    await readEventStream(res, (event) => {
      if (event.type === 'job' && event['job']) {
        last = event['job'] as Job;
        onJob(last);
      }
    });
  } catch (error) {
    if (signal.aborted) return last;
    if (error instanceof ApiError && error.status === 404) throw error;
  }
  while (!signal.aborted && !(last && isFinished(last))) {
    await new Promise((r) => setTimeout(r, 700));
    last = await api.job(id);
    onJob(last);
  }
  return last;
}

/** Uploads files as multipart form data, reporting the bytes sent; resolves with the ingestion job (202). */
export function uploadFiles(collection: string, files: File[], onProgress: (fraction: number) => void): Promise<Job> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const file of files) form.append('files', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/collections/${enc(collection)}/documents`);
    for (const [name, value] of Object.entries(authHeaders({ accept: 'application/json' }))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload could not reach the server'));
    xhr.onload = () => {
      let body: { job?: Job; error?: Problem } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* not JSON */
      }
      if (xhr.status === 202 && body.job) resolve(body.job);
      else {
        if (xhr.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
        reject(new ApiError(xhr.status, body.error?.code ?? `HTTP_${xhr.status}`, body.error?.message ?? `Upload failed (${xhr.status})`));
      }
    };
    xhr.send(form);
  });
}
