/** The SQL dialects Lore can query. Each decides how text is lexed, parsed, introspected and executed. */
export type SqlDialect = 'sqlite' | 'postgres';

export const SQL_DIALECTS: readonly SqlDialect[] = ['sqlite', 'postgres'];

/** How the dialect is named to a person and in a prompt. */
export function dialectName(dialect: SqlDialect): string {
  return dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
}
