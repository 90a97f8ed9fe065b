import { LoreError } from '../spec/errors.js';
import type { Qrels, Run, ScoredDoc } from './metrics.js';

/**
 * Reads the two files trec_eval reads: qrels (`qid iter docno rel`) and a run (`qid Q0 docno rank score
 * tag`), white-space separated. As in trec_eval, the rank column of a run is ignored (documents are
 * ordered by score, ties by docno: evaluate with order 'trec_eval'), and a repeated qrels pair keeps its
 * last judgment.
 */
export function parseTrecQrels(text: string): Qrels {
  const qrels = new Map<string, Map<string, number>>();
  lines(text).forEach(({ fields, number }) => {
    if (fields.length !== 4) throw parseError(`qrels line ${number}: expected 4 fields (qid iter docno rel), found ${fields.length}`);
    const [qid, , docno, rel] = fields as [string, string, string, string];
    const gain = Number(rel);
    if (!Number.isFinite(gain)) throw parseError(`qrels line ${number}: relevance "${rel}" is not a number`);
    const judged = qrels.get(qid) ?? new Map<string, number>();
    judged.set(docno, gain);
    qrels.set(qid, judged);
  });
  return qrels;
}

export function parseTrecRun(text: string): Run {
  const run = new Map<string, ScoredDoc[]>();
  lines(text).forEach(({ fields, number }) => {
    if (fields.length !== 6) throw parseError(`run line ${number}: expected 6 fields (qid Q0 docno rank score tag), found ${fields.length}`);
    const [qid, , docno, , score] = fields as [string, string, string, string, string];
    const value = Number(score);
    if (!Number.isFinite(value)) throw parseError(`run line ${number}: score "${score}" is not a number`);
    const list = run.get(qid) ?? [];
    list.push({ docId: docno, score: value });
    run.set(qid, list);
  });
  return run;
}

function lines(text: string): Array<{ fields: string[]; number: number }> {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ fields: line.trim().split(/\s+/).filter(Boolean), number: i + 1 }))
    .filter((l) => l.fields.length > 0);
}

function parseError(message: string): LoreError {
  return new LoreError({ code: 'PARSE_ERROR', message, hint: 'TREC files are white-space separated, one judgment or one retrieved document per line' });
}
