import { z } from 'zod';
import { generateObject } from '../prompt/generate-object.js';
import { isLoreError } from '../spec/errors.js';
import type { ChatMessage, GenerateRequest, GenerateResult, LanguageModel, Usage } from '../spec/models.js';
import { extractSql } from './extract-sql.js';
import { dialectName, type SqlDialect } from './sql-dialect.js';

export interface GenerateSqlOptions {
  model: LanguageModel;
  question: string;
  dialect: SqlDialect;
  /** The schema as the model should see it (`renderSchema` of the selected tables). */
  schemaText: string;
  /** Tables left out of `schemaText`, named so the model knows they exist. */
  omittedTables?: string[];
  /** The attempt being repaired: its SQL, what went wrong, and the reply as written when it held no SQL. */
  previous?: { sql: string; error: string; reply?: string };
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface GeneratedSql {
  /** Undefined when the reply held nothing that looks like a query. */
  sql: string | undefined;
  /** The reply as the model wrote it. */
  raw: string;
  /** `object`: the reply matched `{ sql }`; `text`: the SQL was read out of free text. */
  shape: 'object' | 'text';
  usage: Usage;
}

/** The marker a scripted test model looks for, and the instruction every model reads first. */
export const SQL_SYSTEM_PROMPT_START = 'You translate questions into SQL.';

const SqlReply = z.object({ sql: z.string().min(1).describe('one SELECT statement that answers the question') });

export function sqlSystemPrompt(dialect: SqlDialect): string {
  return [
    `${SQL_SYSTEM_PROMPT_START} Write one ${dialectName(dialect)} query that answers the user's question from the database described below.`,
    'Rules:',
    '- Exactly one SELECT statement (WITH … SELECT is fine). Never write INSERT, UPDATE, DELETE, DDL, PRAGMA, SET or COPY: they are refused.',
    '- Use only the tables and columns in the schema. Join through the foreign keys shown.',
    '- Compare text with the values exactly as the examples spell them (case, underscores, Chinese characters).',
    '- Select the columns that answer the question, with readable aliases for computed ones; no SELECT * unless asked.',
    '- Add LIMIT only when the question asks for a number of items (the top 5, the latest, the largest).',
    `- ${dialect === 'sqlite' ? 'Dates are stored as ISO text (YYYY-MM-DD): compare them as strings, use strftime() for parts of dates.' : 'Use PostgreSQL date functions (extract, date_trunc) and casts (::int) where needed.'}`,
    '- The question may be in English or Chinese; the data may hold either.',
    'Reply with JSON: {"sql": "<the query>"}.',
  ].join('\n');
}

function userPrompt(options: GenerateSqlOptions): string {
  const omitted = options.omittedTables?.length
    ? `\n\nOther tables exist but were left out as unlikely to matter: ${options.omittedTables.slice(0, 50).join(', ')}${options.omittedTables.length > 50 ? ', …' : ''}.`
    : '';
  return `Database schema (${dialectName(options.dialect)}):\n\`\`\`sql\n${options.schemaText}\n\`\`\`${omitted}\n\nQuestion: ${options.question}`;
}

/** Remembers each reply and sums usage, so a reply that failed the schema can still be read as text. */
function recording(model: LanguageModel): { model: LanguageModel; last(): GenerateResult | undefined; usage: Usage } {
  let last: GenerateResult | undefined;
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const wrapped: LanguageModel = {
    id: model.id,
    async generate(request: GenerateRequest) {
      const result = await model.generate(request);
      last = result;
      usage.inputTokens += result.usage?.inputTokens ?? 0;
      usage.outputTokens += result.usage?.outputTokens ?? 0;
      if (result.usage?.estimated) usage.estimated = true;
      return result;
    },
    stream: (request) => model.stream(request),
  };
  return { model: wrapped, last: () => last, usage };
}

/**
 * Asks the model for SQL. The structured route comes first (`generateObject` with `{ sql }`: a JSON schema
 * the provider enforces where it can, a grammar for GGUF models); a reply that does not fit — a fenced
 * ```sql block, bare SQL, SQL after some prose, as small local models write — is read as text instead of
 * being sent back for repair, so one reply is enough either way. With `previous`, the model sees its last
 * query and the error, and writes a corrected one.
 */
export async function generateSql(options: GenerateSqlOptions): Promise<GeneratedSql> {
  const messages: ChatMessage[] = [
    { role: 'system', content: sqlSystemPrompt(options.dialect) },
    { role: 'user', content: userPrompt(options) },
  ];
  if (options.previous) {
    messages.push(
      { role: 'assistant', content: options.previous.reply ?? JSON.stringify({ sql: options.previous.sql }) },
      {
        role: 'user',
        content: `That query failed:\n${options.previous.error}\n\nWrite a corrected query that answers the question. Reply with JSON: {"sql": "<the query>"}.`,
      },
    );
  }
  const recorder = recording(options.model);
  try {
    const result = await generateObject({
      model: recorder.model,
      schema: SqlReply,
      messages,
      name: 'sql_query',
      maxRepairs: 0,
      maxTokens: options.maxTokens ?? 1024,
      temperature: 0,
      signal: options.signal,
    });
    // A model may still wrap the query inside the field (a fence, a label): read it as text too.
    return { sql: extractSql(result.value.sql) ?? result.value.sql.trim(), raw: result.raw, shape: 'object', usage: recorder.usage };
  } catch (error) {
    const last = recorder.last();
    if (!last || !isLoreError(error, 'PARSE_ERROR')) throw error;
    return { sql: extractSql(last.text), raw: last.text, shape: 'text', usage: recorder.usage };
  }
}
