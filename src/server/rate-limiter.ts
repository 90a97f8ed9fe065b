/** `600/min`, `10/s`, `3600/h` or a plain number per minute. */
export function parseRate(value: string): { perMinute: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?\s*$/i.exec(value);
  if (!m) throw new Error(`expected a rate such as 600/min, 10/s or 3600/h (got "${value}")`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'min').toLowerCase();
  const perMinute = unit.startsWith('s') ? n * 60 : unit.startsWith('h') ? n / 60 : n;
  return { perMinute };
}

export interface RateLimiter {
  /** Takes one request from the caller's allowance: 0 when allowed, else the seconds until the next one is. */
  take(caller: string): number;
}

/**
 * A token bucket per caller (API key, or address without keys), refilled continuously. Bursts may take ten
 * seconds' allowance at once (at least 10 requests, so a page that loads a few things together is not
 * refused; never more than the minute's): a client cannot send a whole minute's worth in one go. Buckets
 * idle long enough to be full again are dropped, so memory stays bounded by the recent callers.
 */
export function createRateLimiter(options: { perMinute: number; now?: () => number }): RateLimiter {
  const now = options.now ?? (() => performance.now());
  const capacity = Math.max(1, Math.min(options.perMinute, 10), options.perMinute / 6);
  const perMs = options.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let sweptAt = now();
  const sweep = (t: number) => {
    if (t - sweptAt < 60_000) return;
    sweptAt = t;
    for (const [caller, b] of buckets) if (b.tokens + (t - b.at) * perMs >= capacity) buckets.delete(caller);
  };
  return {
    take(caller) {
      if (!(options.perMinute > 0)) return 0;
      const t = now();
      sweep(t);
      const b = buckets.get(caller) ?? { tokens: capacity, at: t };
      b.tokens = Math.min(capacity, b.tokens + (t - b.at) * perMs);
      b.at = t;
      buckets.set(caller, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    },
  };
}
