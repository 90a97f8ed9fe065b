import { readFileSync } from 'node:fs';
import type { SqlDialect } from '../sql-dialect.js';

/** A question over the wind-farm database with the SQL that answers it (per dialect where they differ). */
export interface GoldQuestion {
  id: string;
  lang: 'en' | 'zh';
  question: string;
  /** Runs on both dialects unless `sqlite` or `postgres` overrides it. */
  sql: string;
  sqlite?: string;
  postgres?: string;
}

export const WIND_FARM_QUESTIONS_FILE = new URL('./wind-farm-questions.jsonl', import.meta.url);

export function loadWindFarmQuestions(): GoldQuestion[] {
  return readFileSync(WIND_FARM_QUESTIONS_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as GoldQuestion);
}

export function goldSql(question: GoldQuestion, dialect: SqlDialect): string {
  return question[dialect] ?? question.sql;
}
