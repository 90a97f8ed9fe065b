import picomatch from 'picomatch';

const cache = new Map<string, (path: string) => boolean>();

/**
 * `lore_glob(pattern, source)` for SQL: picomatch semantics (`**` crosses folders, `*.md` matches the
 * base name anywhere), so a filter reads the same in the CLI, the API and the library.
 */
export function globMatch(pattern: string, source: string): number {
  let matcher = cache.get(pattern);
  if (!matcher) {
    matcher = picomatch(pattern, { dot: true, basename: !pattern.includes('/') });
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, matcher);
  }
  return matcher(source) ? 1 : 0;
}
