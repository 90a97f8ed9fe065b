import { useEffect, useState } from 'preact/hooks';
import { followJob, uploadFiles, type Job } from './api.js';
import { errorMessage } from './format.js';

/** A value components can watch: a tiny external store (the app needs no state library). */
export interface Store<T> {
  get(): T;
  set(next: T): void;
  update(change: (value: T) => T): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = next;
      for (const listener of [...listeners]) listener();
    },
    update(change) {
      this.set(change(value));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useStore<T>(store: Store<T>): T {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((n) => n + 1)), [store]);
  return store.get();
}

// ---- notifications ----

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  message: string;
}

export const toasts = createStore<Toast[]>([]);
let toastId = 0;

export function notify(message: string, kind: Toast['kind'] = 'info'): void {
  const id = ++toastId;
  toasts.update((list) => [...list.slice(-3), { id, kind, message }]);
  setTimeout(() => toasts.update((list) => list.filter((t) => t.id !== id)), kind === 'error' ? 8000 : 4000);
}

// ---- the passage side panel ----

/** What the side panel shows: a citation, or a search hit, placed in its document. */
export interface PassageTarget {
  documentId: number;
  chunkId: number;
  collection: string;
  source: string;
  title: string | null;
  page: number | null;
  headingPath: string[];
  /** The cited text; `documentText.slice(start, end) === quote`. */
  quote: string;
  start: number;
  end: number;
  /** The chunk's ordinal when known (search hits carry it), to fetch only its neighbours. */
  ordinal?: number;
  /** "Source 2", "Keyword #1"… */
  label: string;
  score?: number;
}

export const passage = createStore<{ target: PassageTarget; trigger: HTMLElement | null } | null>(null);

export function openPassage(target: PassageTarget, trigger?: EventTarget | null): void {
  passage.set({ target, trigger: trigger instanceof HTMLElement ? trigger : null });
}

export function closePassage(): void {
  const current = passage.get();
  passage.set(null);
  current?.trigger?.focus();
}

// ---- uploads and ingestion jobs, followed wherever the user goes ----

export interface Activity {
  key: string;
  collection: string;
  names: string[];
  /** Bytes sent, 0…1, until the server answers 202. */
  sent: number;
  job?: Job;
  error?: string;
}

export const activities = createStore<Activity[]>([]);
/** Bumped when a job finishes: lists of collections and documents reload. */
export const dataVersion = createStore(0);

let activityId = 0;

function patch(key: string, change: Partial<Activity>): void {
  activities.update((list) => list.map((a) => (a.key === key ? { ...a, ...change } : a)));
}

async function follow(key: string, job: Job): Promise<void> {
  patch(key, { job, sent: 1 });
  try {
    const last = await followJob(job.id, (next) => patch(key, { job: next }), new AbortController().signal);
    if (last?.status === 'failed') notify(`Ingestion failed in ${job.collection}: ${last.error?.message ?? last.files.find((f) => f.error)?.error?.message ?? 'see the document list'}`, 'error');
  } catch (error) {
    patch(key, { error: errorMessage(error) });
  }
  dataVersion.update((n) => n + 1);
}

export async function upload(collection: string, files: File[]): Promise<void> {
  if (files.length === 0) return;
  const key = `u${++activityId}`;
  activities.update((list) => [{ key, collection, names: files.map((f) => f.name), sent: 0 }, ...list]);
  let job: Job;
  try {
    job = await uploadFiles(collection, files, (sent) => patch(key, { sent }));
  } catch (error) {
    patch(key, { error: errorMessage(error) });
    notify(`Upload failed: ${errorMessage(error)}`, 'error');
    return;
  }
  dataVersion.update((n) => n + 1);
  await follow(key, job);
}

export function trackJob(job: Job): void {
  const key = `j${++activityId}`;
  activities.update((list) => [{ key, collection: job.collection, names: job.files.map((f) => f.name), sent: 1, job }, ...list]);
  dataVersion.update((n) => n + 1);
  void follow(key, job);
}

export function dismissActivity(key: string): void {
  activities.update((list) => list.filter((a) => a.key !== key));
}
