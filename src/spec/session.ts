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

/** Conversations that survive restarts, in the same database as the documents. */
export interface SessionStore {
  createSession(options: { id?: string; title?: string; settings?: Record<string, unknown> }): SessionInfo;
  getSession(id: string): SessionInfo | undefined;
  listSessions(): SessionInfo[];
  deleteSession(id: string): boolean;
  appendTurn(options: { sessionId: string; role: 'user' | 'assistant'; content: string; standalone?: string; citations?: unknown[]; tokens: number }): SessionTurn;
  turns(sessionId: string): SessionTurn[];
  setSummary(options: { sessionId: string; summary: string; through: number }): void;
  /** Forgets the turns and summary, keeping the session and its settings (`/reset`). */
  clearSession(id: string): void;
}
