import { extractJson } from '../prompt/extract-json.js';
import { splitThinking } from '../prompt/think-blocks.js';

const FENCE = /(```|~~~)[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)(?:\n[ \t]*\1|$)/g;
const SQL_LANGUAGES = /^(sql|sqlite|sqlite3|postgres|postgresql|psql|pgsql|plpgsql)$/i;
const STARTS_LIKE_SQL = /^\s*(\(\s*)*(select|with)\b/i;
/** A label weak models put before the query: "SQL:", "SQLQuery:", "Query:", "Answer:". */
const LABEL = /^\s*(?:sql\s*query|sql|query|answer)\s*[:：]\s*/i;

/** From the start of a query, up to its first semicolon outside quotes (prose may follow it). */
function untilStatementEnd(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === ';') return text.slice(0, i);
  }
  // No semicolon: the query ends where a blank line starts prose.
  return text.split(/\n[ \t]*\n/)[0]!;
}

function readSqlText(text: string): string | undefined {
  const cleaned = text.replace(LABEL, '').trim();
  if (!STARTS_LIKE_SQL.test(cleaned)) return undefined;
  return untilStatementEnd(cleaned).trim() || undefined;
}

/**
 * The SQL in a model's reply, whatever shape the model chose: JSON with a `sql` (or `query`) field, a
 * fenced ```sql block (or any fenced block that starts like a query), inline `code`, or bare text — with or
 * without a label, a `<think>` block, or prose before and after. Returns undefined when nothing in the
 * reply looks like a query. What it returns is not trusted: it still goes through the validator.
 */
export function extractSql(reply: string): string | undefined {
  const text = splitThinking(reply).rest.trim();
  if (!text) return undefined;

  const json = extractJson(text, { lenient: true });
  if (json.ok && typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value)) {
    const record = json.value as Record<string, unknown>;
    const field = ['sql', 'query', 'SQL', 'sql_query', 'statement'].map((k) => record[k]).find((v) => typeof v === 'string');
    if (typeof field === 'string' && field.trim()) return extractSql(field) ?? field.trim();
  }

  const fences = [...text.matchAll(FENCE)].map((m) => ({ language: m[2] ?? '', body: m[3] ?? '' }));
  const fenced = fences.find((f) => SQL_LANGUAGES.test(f.language) && f.body.trim()) ?? fences.find((f) => STARTS_LIKE_SQL.test(f.body));
  if (fenced) return untilStatementEnd(fenced.body.trim()).trim() || undefined;

  const whole = readSqlText(text);
  if (whole) return whole;
  const inline = /`((?:\(\s*)*(?:select|with)\b[^`]+)`/i.exec(text);
  if (inline) return untilStatementEnd(inline[1]!).trim();
  // A query after a line of prose: "Here is the query:\nSELECT …".
  const line = /(?:^|\n)[ \t]*((?:sql\s*query|sql|query)\s*[:：]\s*)?(\(?\s*(?:select|with)\b[\s\S]*)/i.exec(text);
  if (line) return readSqlText(line[2]!);
  return undefined;
}
