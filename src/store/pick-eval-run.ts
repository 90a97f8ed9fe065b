import { LoreError } from '../spec/errors.js';

const LATEST = /^latest(?:~(\d+))?$/;

/**
 * Which of the stored runs (newest first) a user's reference names: `latest` / `latest~N`, an exact id, a
 * `--name`, or a unique id prefix of 3+ characters (with or without the id's date part). Shared by the SQLite
 * and PostgreSQL run stores so both resolve and refuse references the same way.
 */
export function pickEvalRun<R extends { id: string; name: string | null }>(options: { rows: R[]; ref: string }): R {
  const { rows, ref } = options;
  const wanted = ref.trim();
  let row: R | undefined;
  const latest = LATEST.exec(wanted);
  if (latest) row = rows[Number(latest[1] ?? 0)];
  else {
    row = rows.find((r) => r.id === wanted) ?? rows.find((r) => r.name === wanted);
    if (!row) {
      const prefixed = rows.filter((r) => r.id.startsWith(wanted) || r.id.split('-').slice(1).join('-').startsWith(wanted));
      if (prefixed.length > 1) {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: `"${ref}" names ${prefixed.length} runs: ${prefixed.slice(0, 5).map((r) => r.id).join(', ')}`, hint: 'give more of the id', subject: ref });
      }
      row = wanted.length >= 3 ? prefixed[0] : undefined;
    }
  }
  if (!row) {
    throw new LoreError({ code: 'NOT_FOUND', message: `No evaluation run "${ref}"`, hint: 'list runs with `lore eval runs`; a run is named by its id, a unique prefix of it, its --name, or latest / latest~1', subject: ref });
  }
  return row;
}
