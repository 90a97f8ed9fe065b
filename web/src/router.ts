import { useEffect, useState } from 'preact/hooks';

/** Hash routes: #/chat, #/chat/<session>, #/collections, #/collections/<name>, #/search. */
export function parseHash(hash: string): string[] {
  const path = hash.replace(/^#\/?/, '').replace(/\?.*$/, '');
  return path
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
}

export function useRoute(): string[] {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return parseHash(hash);
}

export function href(...parts: string[]): string {
  return '#/' + parts.map(encodeURIComponent).join('/');
}

export function navigate(...parts: string[]): void {
  const next = href(...parts);
  if (location.hash !== next) location.hash = next;
}
