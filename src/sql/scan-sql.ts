import type { SqlDialect } from './sql-dialect.js';

/**
 * A token of SQL text. `word`: an unquoted identifier or keyword; `quoted`: a quoted identifier ("x", `x`,
 * [x]); `string`: a string literal of any kind; `punct`: one character of punctuation or an operator.
 */
export interface SqlToken {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'param' | 'punct';
  /** Words and quoted identifiers: the name (quotes removed, words as written); otherwise the source text. */
  value: string;
  start: number;
  end: number;
}

export type SqlScan = { ok: true; tokens: SqlToken[]; /** The text with every comment replaced by one space. */ stripped: string } | { ok: false; error: string };

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/**
 * Splits SQL into tokens the way the database would, so the validator can see every semicolon, keyword and
 * function call outside strings and comments. Comments are removed rather than skipped over: the validator
 * parses and the executor runs the stripped text, so nothing a comment hides can reach the database even
 * if this lexer and the database's disagreed about where a comment ends. Where the dialects differ, the
 * database's rules are followed: PostgreSQL nests block comments and has E'…' (backslash escapes) and
 * $tag$…$tag$ strings; SQLite quotes identifiers with `…` and […] too. Anything unterminated is an error,
 * never a guess.
 */
export function scanSql(options: { sql: string; dialect: SqlDialect }): SqlScan {
  const { sql, dialect } = options;
  const pg = dialect === 'postgres';
  const tokens: SqlToken[] = [];
  let stripped = '';
  let copied = 0;
  let i = 0;
  const cut = (from: number, to: number) => {
    stripped += sql.slice(copied, from) + ' ';
    copied = to;
  };
  /** The end of a quoted run closed by `close`, where a doubled `close` stands for itself; -1 if unterminated. */
  const quotedEnd = (from: number, close: string, backslash: boolean): number => {
    for (let j = from; j < sql.length; j++) {
      const ch = sql[j];
      if (backslash && ch === '\\') {
        j++;
        continue;
      }
      if (ch === close) {
        if (sql[j + 1] === close) {
          j++;
          continue;
        }
        return j + 1;
      }
    }
    return -1;
  };

  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      const end = eol < 0 ? sql.length : eol;
      cut(i, end);
      i = end;
      continue;
    }
    if (ch === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < sql.length && depth > 0) {
        if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else if (pg && sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else j++;
      }
      if (depth > 0) return { ok: false, error: 'a /* comment is never closed' };
      cut(i, j);
      i = j;
      continue;
    }
    if (ch === "'") {
      const end = quotedEnd(i + 1, "'", false);
      if (end < 0) return { ok: false, error: 'a string literal is never closed' };
      tokens.push({ kind: 'string', value: sql.slice(i, end), start: i, end });
      i = end;
      continue;
    }
    if (ch === '"' || (!pg && (ch === '`' || ch === '['))) {
      const close = ch === '[' ? ']' : ch;
      const end = ch === '[' ? sql.indexOf(']', i + 1) + 1 : quotedEnd(i + 1, close, false);
      if (end <= 0) return { ok: false, error: 'a quoted name is never closed' };
      tokens.push({ kind: 'quoted', value: sql.slice(i + 1, end - 1).split(close + close).join(close), start: i, end });
      i = end;
      continue;
    }
    if (pg && ch === '$') {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 66));
      const previous = tokens.at(-1);
      const glued = previous !== undefined && previous.end === i && (previous.kind === 'word' || previous.kind === 'number');
      if (tag && !glued) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) return { ok: false, error: 'a $-quoted string is never closed' };
        const end = close + tag[0].length;
        tokens.push({ kind: 'string', value: sql.slice(i, end), start: i, end });
        i = end;
        continue;
      }
      if (/\d/.test(next ?? '')) {
        let j = i + 1;
        while (j < sql.length && /\d/.test(sql[j]!)) j++;
        tokens.push({ kind: 'param', value: sql.slice(i, j), start: i, end: j });
        i = j;
        continue;
      }
    }
    if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++;
      const word = sql.slice(i, j);
      // PostgreSQL string prefixes: E'…' takes backslash escapes; U&'…' and U&"…" spell characters as
      // escapes, which would let a name dodge the checks, so they are refused outright.
      if (pg && /^u$/i.test(word) && sql[j] === '&' && (sql[j + 1] === "'" || sql[j + 1] === '"')) {
        return { ok: false, error: 'U& escaped strings and names are not accepted' };
      }
      if (sql[j] === "'" && (/^[ebxn]$/i.test(word) || (!pg && /^x$/i.test(word)))) {
        const end = quotedEnd(j + 1, "'", pg && /^e$/i.test(word));
        if (end < 0) return { ok: false, error: 'a string literal is never closed' };
        tokens.push({ kind: 'string', value: sql.slice(i, end), start: i, end });
        i = end;
        continue;
      }
      tokens.push({ kind: 'word', value: word, start: i, end: j });
      i = j;
      continue;
    }
    if (/\d/.test(ch) || (ch === '.' && /\d/.test(next ?? ''))) {
      let j = i + 1;
      while (j < sql.length && /[0-9a-zA-Z_.]/.test(sql[j]!)) {
        // An exponent's sign belongs to the number: 1e-5.
        if (/[eE]/.test(sql[j]!) && /[+-]/.test(sql[j + 1] ?? '')) j++;
        j++;
      }
      tokens.push({ kind: 'number', value: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (!pg && (ch === '?' || ((ch === ':' || ch === '@' || ch === '$') && WORD_START.test(next ?? '')))) {
      // SQLite's parameters (?, ?NNN, :name, @name, $name): tokens, so that their names are not read as words.
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++;
      tokens.push({ kind: 'param', value: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    tokens.push({ kind: 'punct', value: ch, start: i, end: i + 1 });
    i++;
  }
  stripped += sql.slice(copied);
  return { ok: true, tokens, stripped };
}
