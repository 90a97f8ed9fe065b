import { describe, expect, it } from 'vitest';
import { scanSql } from './scan-sql.js';
import { validateSql } from './validate-sql.js';
import { HOSTILE_STATEMENTS } from './test-support/hostile-statements.js';
import { goldSql, loadWindFarmQuestions } from './test-support/wind-farm-questions.js';
import { SQL_DIALECTS } from './sql-dialect.js';

describe('validateSql', () => {
  const questions = loadWindFarmQuestions();

  it.each(SQL_DIALECTS)('accepts every gold query of the test set (%s)', (dialect) => {
    for (const q of questions) {
      const verdict = validateSql({ sql: goldSql(q, dialect), dialect });
      expect(verdict, `${q.id}: ${goldSql(q, dialect)}`).toMatchObject({ ok: true });
    }
  });

  it.each(SQL_DIALECTS)('refuses every hostile statement (%s)', (dialect) => {
    for (const h of HOSTILE_STATEMENTS.filter((s) => !s.dialects || s.dialects.includes(dialect))) {
      const verdict = validateSql({ sql: h.sql, dialect });
      expect(verdict.ok, `${h.name}: ${h.sql}`).toBe(false);
    }
  });

  it('returns the statement that will run: comments and trailing semicolons removed', () => {
    const verdict = validateSql({ sql: '-- count them\nSELECT count(*) /* all */ FROM sites;;  \n', dialect: 'sqlite' });
    expect(verdict).toEqual({ ok: true, sql: 'SELECT count(*)   FROM sites', tables: ['sites'] });
  });

  it('does not mistake words inside strings, quoted names or longer names for writes', () => {
    for (const dialect of SQL_DIALECTS) {
      for (const sql of [
        "SELECT 'DROP TABLE sites; DELETE FROM x' AS text",
        'SELECT "update" FROM "delete"',
        "SELECT replace(name, 'a', 'b') AS renamed, updated_at, created_by FROM sites",
        "SELECT name FROM sites WHERE notes LIKE '%-- not a comment%'",
        "SELECT name FROM sites WHERE name = 'it''s /* fine */'",
        'WITH recent AS (SELECT * FROM inspections) SELECT count(*) FROM recent',
        '(SELECT 1) UNION (SELECT 2)',
      ]) {
        expect(validateSql({ sql, dialect }), `${dialect}: ${sql}`).toMatchObject({ ok: true });
      }
    }
  });

  it('explains a refusal in words a model can act on', () => {
    expect(validateSql({ sql: 'SELECT 1; SELECT 2', dialect: 'sqlite' })).toEqual({ ok: false, reason: expect.stringMatching(/more than one statement/) });
    expect(validateSql({ sql: 'SELECT pg_sleep(1)', dialect: 'postgres' })).toEqual({ ok: false, reason: expect.stringMatching(/pg_sleep\(\) is not allowed/) });
    expect(validateSql({ sql: 'SELEC name FROM sites', dialect: 'sqlite' })).toEqual({ ok: false, reason: expect.stringMatching(/only SELECT/) });
    expect(validateSql({ sql: 'SELECT FROM WHERE', dialect: 'sqlite' })).toEqual({ ok: false, reason: expect.stringMatching(/parser cannot read this as SQLite/) });
    expect(validateSql({ sql: '  ', dialect: 'sqlite' })).toEqual({ ok: false, reason: 'the statement is empty' });
    expect(validateSql({ sql: 'SELECT * FROM sites WHERE id = ?', dialect: 'sqlite' })).toEqual({ ok: false, reason: expect.stringMatching(/parameters/) });
  });
});

describe('scanSql', () => {
  it('follows PostgreSQL string rules: E-strings with backslashes, dollar quotes, nested comments', () => {
    const scan = scanSql({ sql: "SELECT E'a\\'b;', $tag$ ; $$ $tag$, 1 /* a /* b */ c */ FROM t", dialect: 'postgres' });
    expect(scan.ok).toBe(true);
    if (!scan.ok) return;
    expect(scan.tokens.filter((t) => t.kind === 'string').map((t) => t.value)).toEqual(["E'a\\'b;'", '$tag$ ; $$ $tag$']);
    expect(scan.stripped).toBe("SELECT E'a\\'b;', $tag$ ; $$ $tag$, 1   FROM t");
  });

  it('follows SQLite rules: no nesting, backslashes are plain, [names] and `names`', () => {
    const scan = scanSql({ sql: "SELECT 'a\\', [my col], `x` /* a /* b */ FROM t", dialect: 'sqlite' });
    expect(scan.ok).toBe(true);
    if (!scan.ok) return;
    expect(scan.tokens.filter((t) => t.kind === 'quoted').map((t) => t.value)).toEqual(['my col', 'x']);
    expect(scan.stripped).toBe("SELECT 'a\\', [my col], `x`   FROM t");
  });

  it('refuses what it cannot close', () => {
    expect(scanSql({ sql: "SELECT 'open", dialect: 'sqlite' })).toEqual({ ok: false, error: 'a string literal is never closed' });
    expect(scanSql({ sql: 'SELECT $$open', dialect: 'postgres' })).toEqual({ ok: false, error: 'a $-quoted string is never closed' });
    expect(scanSql({ sql: 'SELECT 1 /* /* */', dialect: 'postgres' })).toEqual({ ok: false, error: 'a /* comment is never closed' });
  });
});
