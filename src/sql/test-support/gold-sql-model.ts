import { startScriptedOpenAIServer, type ScriptedOpenAIServer, type ScriptedRequest } from '../../models/test-support/scripted-openai-server.js';
import { ANSWER_SYSTEM_PROMPT_START } from '../answer-from-rows.js';
import { SQL_SYSTEM_PROMPT_START } from '../generate-sql.js';
import type { SqlDialect } from '../sql-dialect.js';
import { goldSql, type GoldQuestion } from './wind-farm-questions.js';

/** The shapes a model's SQL reply comes in, from strict JSON to bare text after some prose. */
export const REPLY_SHAPES = ['json', 'fenced', 'bare', 'prose', 'think', 'label', 'json-in-fence', 'trailing-semicolon'] as const;
export type ReplyShape = (typeof REPLY_SHAPES)[number];

export function shapeReply(sql: string, shape: ReplyShape): string {
  switch (shape) {
    case 'json':
      return JSON.stringify({ sql });
    case 'fenced':
      return `\`\`\`sql\n${sql}\n\`\`\``;
    case 'bare':
      return sql;
    case 'prose':
      return `Here is a query that answers the question:\n\n\`\`\`sql\n${sql};\n\`\`\`\n\nIt reads only the tables it needs.`;
    case 'think':
      return `<think>The user wants data. Maybe SELECT * FROM everything? No.</think>\n${JSON.stringify({ sql })}`;
    case 'label':
      return `SQLQuery: ${sql}`;
    case 'json-in-fence':
      return `\`\`\`json\n${JSON.stringify({ sql }, null, 2)}\n\`\`\``;
    case 'trailing-semicolon':
      return `${sql};\n\nThis query counts what was asked.`;
  }
}

export interface GoldSqlModelOptions {
  questions: GoldQuestion[];
  /** What the first reply to these question ids is instead of the gold SQL (a query that fails, prose…). */
  firstReply?: Record<string, (question: GoldQuestion, dialect: SqlDialect) => string>;
}

export interface GoldSqlModel extends ScriptedOpenAIServer {
  /** A model spec for `resolveLanguageModel`: openai-compatible:URL#gold. */
  spec: string;
}

/** The question and dialect in a text-to-SQL prompt: the last "Question:" line, the dialect in the schema header. */
function readPrompt(request: ScriptedRequest): { question: string; dialect: SqlDialect; repair: boolean } {
  const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
  const question = user.slice(user.lastIndexOf('Question: ') + 'Question: '.length).split('\n')[0]!.trim();
  return { question, dialect: /Database schema \(PostgreSQL\)/.test(user) ? 'postgres' : 'sqlite', repair: request.messages.length > 2 };
}

/**
 * A loopback model that knows the gold SQL of every test question and answers in a different shape per
 * question (so every way a model writes SQL is exercised), then summarises result tables in a fixed form.
 * Execution accuracy against it measures Lore's side: prompt, extraction, validation, execution, repair.
 */
export async function startGoldSqlModel(options: GoldSqlModelOptions): Promise<GoldSqlModel> {
  const byQuestion = new Map(options.questions.map((q, i) => [q.question, { q, i }]));
  const server = await startScriptedOpenAIServer({
    reply(request) {
      const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
      if (system.startsWith(SQL_SYSTEM_PROMPT_START)) {
        const { question, dialect, repair } = readPrompt(request);
        const found = byQuestion.get(question);
        if (!found) return 'I do not know how to answer that.';
        const first = options.firstReply?.[found.q.id];
        if (first && !repair) return first(found.q, dialect);
        return shapeReply(goldSql(found.q, dialect), REPLY_SHAPES[found.i % REPLY_SHAPES.length]!);
      }
      if (system.startsWith(ANSWER_SYSTEM_PROMPT_START)) {
        const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
        const count = /Its result \((\d+) rows?/.exec(user)?.[1] ?? '?';
        // The first data row of the fenced Markdown table: the line after the | --- | separator.
        const lines = user.split('\n');
        const separator = lines.findIndex((l) => /^\|( --- \|)+$/.test(l));
        const first = separator >= 0 && lines[separator + 1]?.startsWith('|') ? lines[separator + 1]!.slice(2, -2).split(' | ').join(', ') : 'nothing';
        return `The database returned ${count} row(s); the first is: ${first}.`;
      }
      return 'Unexpected request.';
    },
  });
  return { ...server, spec: `openai-compatible:${server.baseUrl}#gold` };
}
