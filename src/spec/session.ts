import { LoreError } from './errors.js';

/** One message of a conversation as stored: questions and answers, with the sources an answer cited. */
export interface SessionTurn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  /** User turns: the standalone question retrieval used, when a follow-up was rewritten. */
  standalone: string | null;
  /** The answer's citations as `src/rag` defines them; stored as JSON, opaque to the store. */
  citations: unknown[];
  tokens: number;
  createdAt: string;
}

export interface SessionInfo {
  id: string;
  title: string | null;
  /** What the session was started with (collection, model, memory), so a resumed session behaves the same. */
  settings: Record<string, unknown>;
  /** Summary memory: the model's summary of the turns with id ≤ summaryThrough. */
  summary: string | null;
  summaryThrough: number;
  turnCount: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * Conversations that survive restarts, in the same database as the documents (a SQLite file, or PostgreSQL
 * shared by several servers). Every method returns a promise: a network database cannot answer at once.
 */
export interface SessionStore {
  createSession(options: { id?: string; title?: string; settings?: Record<string, unknown> }): Promise<SessionInfo>;
  getSession(id: string): Promise<SessionInfo | undefined>;
  listSessions(): Promise<SessionInfo[]>;
  deleteSession(id: string): Promise<boolean>;
  appendTurn(options: { sessionId: string; role: 'user' | 'assistant'; content: string; standalone?: string; citations?: unknown[]; tokens: number }): Promise<SessionTurn>;
  turns(sessionId: string): Promise<SessionTurn[]>;
  setSummary(options: { sessionId: string; summary: string; through: number }): Promise<void>;
  /** Forgets the turns and summary, keeping the session and its settings (`/reset`). */
  clearSession(id: string): Promise<void>;
  /**
   * Waits until no other process is running a turn of this session, then holds that right until the
   * returned release is called: stores shared by several processes (PostgreSQL) implement it; a caller
   * without it runs turns as they come. A missing session is not locked (the turn will create it).
   */
  lockTurn?(sessionId: string, options?: { signal?: AbortSignal }): Promise<() => Promise<void>>;
}

/** Creating a session under a name already taken: the same error from every store. */
export function sessionExists(id: string, cause?: unknown): LoreError {
  return new LoreError({ code: 'INVALID_ARGUMENT', message: `A session "${id}" exists`, hint: 'resume it, or choose another name', subject: id, cause });
}
