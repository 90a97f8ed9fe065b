export interface ProgressBarOptions {
  stream?: NodeJS.WriteStream;
  /** Force on/off; by default only when the stream is a terminal. */
  enabled?: boolean;
}

export interface ProgressBar {
  update(done: number, total: number, detail: string): void;
  done(): void;
}

/** A one-line progress bar on stderr, redrawn at most 10 times a second, silent when not a terminal. */
export function createProgressBar(options: ProgressBarOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? Boolean(stream.isTTY);
  let last = 0;
  let drawn = false;
  return {
    update(done, total, detail) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 24;
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(ratio * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const columns = stream.columns ?? 100;
      const line = `${bar} ${done}/${total} ${detail}`.slice(0, columns - 1);
      stream.write(`\r\x1b[2K${line}`);
      drawn = true;
    },
    done() {
      if (enabled && drawn) stream.write('\r\x1b[2K');
    },
  };
}
