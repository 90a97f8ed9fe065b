import { analyze, countTokens } from '../text/index.js';
import { renderTable } from './render-schema.js';
import type { SqlSchema, SqlTable } from './sql-schema.js';

export interface SelectTablesOptions {
  schema: SqlSchema;
  /** The question; without one, the tables most linked to others come first. */
  question?: string;
  /** Budget for the rendered tables, in estimated tokens (default 4000). */
  maxTokens?: number;
}

export interface SelectedTables {
  tables: SqlTable[];
  /** Names of the tables left out, in the schema's order. */
  omitted: string[];
  /** Estimated tokens of the rendered tables. */
  tokens: number;
}

/** Where a question's term matched, and what that is worth: a table's own name says most. */
const WEIGHT = { table: 3, column: 1.5, description: 1, sample: 1 } as const;
/** A table linked by a foreign key to relevant tables is worth part of their score: joins go through it. */
const NEIGHBOUR_SHARE = 0.5;

/** snake_case, camelCase and dotted names into words the analyser can stem: inspectedOn → inspected on. */
function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_.$-]+/g, ' ');
}

/**
 * Chooses the tables to show the model when the whole schema does not fit the budget. Each table scores
 * the question's terms (after the shared analyser: stemming, Chinese segmentation) that appear in its name,
 * its columns' names, its descriptions or its sample values, each term counted once at its best weight;
 * then gains half the scores of its two best foreign-key neighbours, so the table that joins two relevant
 * ones comes along. Tables are taken best first while they fit. A question that matches nothing (in another
 * language than the schema, say) falls back to the most connected tables.
 */
export function selectTables(options: SelectTablesOptions): SelectedTables {
  const { schema } = options;
  const budget = options.maxTokens ?? 4000;
  const cost = new Map(schema.tables.map((t) => [t, countTokens(renderTable(t, schema.dialect))]));
  const total = [...cost.values()].reduce((a, b) => a + b, 0);
  if (total <= budget) return { tables: [...schema.tables], omitted: [], tokens: total };

  const query = new Set(analyze(options.question ?? ''));
  const own = new Map<SqlTable, number>();
  for (const table of schema.tables) {
    const best = new Map<string, number>();
    const credit = (text: string | undefined, weight: number) => {
      if (!text) return;
      for (const term of analyze(words(text))) if (query.has(term) && (best.get(term) ?? 0) < weight) best.set(term, weight);
    };
    credit(table.name, WEIGHT.table);
    credit(table.description, WEIGHT.description);
    for (const column of table.columns) {
      credit(column.name, WEIGHT.column);
      credit(column.description, WEIGHT.description);
      for (const sample of column.samples) credit(sample, WEIGHT.sample);
    }
    own.set(table, [...best.values()].reduce((a, b) => a + b, 0));
  }

  const byName = new Map(schema.tables.map((t) => [t.name.toLowerCase(), t]));
  const neighbours = new Map<SqlTable, Set<SqlTable>>(schema.tables.map((t) => [t, new Set()]));
  for (const table of schema.tables) {
    for (const key of table.foreignKeys) {
      const target = byName.get(key.table.toLowerCase());
      if (!target || target === table) continue;
      neighbours.get(table)!.add(target);
      neighbours.get(target)!.add(table);
    }
  }
  const anyMatch = [...own.values()].some((s) => s > 0);
  const rank = new Map<SqlTable, number>();
  for (const table of schema.tables) {
    const linked = [...neighbours.get(table)!].map((t) => own.get(t)!).sort((a, b) => b - a);
    const score = anyMatch ? own.get(table)! + NEIGHBOUR_SHARE * ((linked[0] ?? 0) + (linked[1] ?? 0)) : neighbours.get(table)!.size + (table.rowCount ?? 0) / 1e12;
    rank.set(table, score);
  }
  const order = schema.tables.map((t, i) => ({ t, i })).sort((a, b) => rank.get(b.t)! - rank.get(a.t)! || a.i - b.i);

  const chosen = new Set<SqlTable>();
  let tokens = 0;
  for (const { t } of order) {
    const c = cost.get(t)!;
    // The best table always goes in, even alone over the budget: a query needs at least one table.
    if (chosen.size === 0 || tokens + c <= budget) {
      chosen.add(t);
      tokens += c;
    }
  }
  return {
    tables: schema.tables.filter((t) => chosen.has(t)),
    omitted: schema.tables.filter((t) => !chosen.has(t)).map((t) => t.name),
    tokens,
  };
}
