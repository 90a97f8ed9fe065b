/**
 * Turns callbacks (node-llama-cpp reports text and tool-call chunks through them) into an async iterable.
 * Generation never waits for the reader: a token takes milliseconds to make and bytes to keep, so
 * buffering is cheaper than the back-pressure plumbing would be.
 */
export interface EventQueue<T> extends AsyncIterable<T> {
  push(item: T): void;
  /** No more items; the iteration ends once the buffer is drained. */
  end(): void;
  /** The iteration throws this once the buffer is drained. */
  fail(error: unknown): void;
}

export function createEventQueue<T>(): EventQueue<T> {
  const items: T[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  return {
    push(item) {
      if (done) return;
      items.push(item);
      notify();
    },
    end() {
      done = true;
      notify();
    },
    fail(error) {
      if (done) return;
      failure = { error };
      done = true;
      notify();
    },
    async *[Symbol.asyncIterator]() {
      while (true) {
        if (items.length > 0) {
          yield items.shift()!;
          continue;
        }
        if (done) {
          if (failure) throw failure.error;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
