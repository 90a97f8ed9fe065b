export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/**
 * Structured logs: one JSON object per line (for a log shipper), or one readable line for a terminal.
 * Lines go to stderr by default, so `lore serve --json` keeps stdout for its `{ url }`.
 */
export function createLogger(options: { format?: LogFormat; write?: (line: string) => void } = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const format = options.format ?? 'json';
  return {
    log(level, message, fields = {}) {
      const time = new Date().toISOString();
      if (format === 'json') {
        write(JSON.stringify({ time, level, msg: message, ...fields }));
        return;
      }
      const rest = Object.entries(fields)
        .filter(([k, v]) => v !== undefined && v !== null && !['method', 'path', 'status', 'ms'].includes(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      const head = fields['method'] ? `${String(fields['method'])} ${String(fields['path'])} ${String(fields['status'])} ${String(fields['ms'])}ms` : message;
      write(`${time.slice(11, 19)} ${level === 'info' ? '' : level.toUpperCase() + ' '}${head}${rest ? `  ${rest}` : ''}`);
    },
  };
}

/** A logger that drops everything (library use, tests). */
export const SILENT_LOGGER: Logger = { log() {} };
