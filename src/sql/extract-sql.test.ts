import { describe, expect, it } from 'vitest';
import { extractSql } from './extract-sql.js';
import { REPLY_SHAPES, shapeReply } from './test-support/gold-sql-model.js';

const SQL = "SELECT s.name, count(*) AS n FROM sites s JOIN turbines t ON t.site_id = s.id WHERE s.country = 'China' GROUP BY s.name";

describe('extractSql', () => {
  it.each(REPLY_SHAPES)('reads the query out of a %s reply', (shape) => {
    expect(extractSql(shapeReply(SQL, shape))).toBe(SQL);
  });

  it('reads the shapes weak local models write', () => {
    expect(extractSql('Sure! The query is `SELECT count(*) FROM sites` which counts them.')).toBe('SELECT count(*) FROM sites');
    expect(extractSql('To answer this we count the sites:\nSELECT count(*)\nFROM sites\n\nThis returns one number.')).toBe('SELECT count(*)\nFROM sites');
    expect(extractSql('{"query": "SELECT 1"}')).toBe('SELECT 1');
    expect(extractSql("{'sql': 'SELECT 1'}")).toBe('SELECT 1');
    expect(extractSql('```\nWITH x AS (SELECT 1) SELECT * FROM x\n```')).toBe('WITH x AS (SELECT 1) SELECT * FROM x');
    expect(extractSql('SQL：SELECT name FROM sites')).toBe('SELECT name FROM sites');
    expect(extractSql("SELECT name FROM sites WHERE name = 'a;b'; -- done")).toBe("SELECT name FROM sites WHERE name = 'a;b'");
  });

  it('finds no query where there is none', () => {
    expect(extractSql('')).toBeUndefined();
    expect(extractSql('I cannot answer that from this database.')).toBeUndefined();
    expect(extractSql('<think>SELECT 1</think>')).toBeUndefined();
  });
});
