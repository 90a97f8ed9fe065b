import type { HrTime } from '@opentelemetry/api';

// The SDK stamps a span's start with Date.now() (whole milliseconds) and its end relative to that, so
// sibling spans' starts jitter by up to a millisecond: a tree of sub-millisecond steps (a keyword search)
// would be drawn out of order. Lore passes its own times instead: the monotonic clock, anchored to the wall
// clock, and re-anchored when the two drift apart by a second (NTP adjusting a long-running server).
let anchor = Date.now() - performance.now();

/** Now, to the microsecond, as OpenTelemetry's [seconds, nanoseconds] since the epoch. */
export function spanTime(): HrTime {
  let ms = anchor + performance.now();
  const wall = Date.now();
  if (Math.abs(wall - ms) > 1000) {
    anchor = wall - performance.now();
    ms = anchor + performance.now();
  }
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6))];
}
