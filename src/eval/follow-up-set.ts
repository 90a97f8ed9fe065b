import type { BeirDataset } from './beir.js';

/** A two-turn conversation whose follow-up leans on the first turn, with the documents it should find. */
export interface FollowUpConversation {
  id: string;
  language: 'en' | 'zh';
  /** The opening question, which names the topic. */
  opening: string;
  /** The follow-up as a person would type it, the topic replaced by a pronoun. */
  followUp: string;
  /** The follow-up written out in full: what a correct condensation produces. */
  standalone: string;
  /** Ids of the documents relevant to the follow-up. */
  relevant: string[];
}

export interface BuildFollowUpSetOptions {
  dataset: BeirDataset;
  language: 'en' | 'zh';
  /** Conversations at most (default 50). */
  limit?: number;
}

const EN_PREPOSITION = /\b(of|on|in|for|about|with|to)\s+/g;
const EN_STOP = new Set(['a', 'an', 'the', 'it', 'this', 'that', 'these', 'those', 'such', 'and', 'or']);

/**
 * English: a question's last prepositional object is its topic ("…models of [heated high speed aircraft]");
 * the opening asks about the topic, the follow-up is the question with the topic replaced by "it".
 */
function englishConversation(question: string): { opening: string; followUp: string; standalone: string } | undefined {
  const q = question.replace(/\s+\.\s*$/, '').replace(/\s+/g, ' ').trim();
  let best: { at: number; topic: string } | undefined;
  for (const m of q.matchAll(EN_PREPOSITION)) {
    const at = m.index + m[0].length;
    const topic = q.slice(at).replace(/[?.]$/, '').trim();
    const words = topic.split(' ');
    if (words.length >= 2 && words.length <= 6 && words.filter((w) => !EN_STOP.has(w)).length >= 2) best = { at, topic };
  }
  if (!best) return undefined;
  const followUp = `${q.slice(0, best.at)}it?`;
  // The follow-up must keep some content of its own, or any retrieval of it is a guess.
  if (followUp.split(' ').length < 5) return undefined;
  return { opening: `Tell me about ${best.topic}.`, followUp, standalone: `${q}?` };
}

/**
 * Chinese: a CMRC passage opens with its subject ("范廷颂枢机（…）", "《跑跑卡丁车》…"); a question on that
 * passage that names the subject becomes a follow-up with the subject replaced by "它".
 */
function chineseSubject(text: string): string | undefined {
  const head = text.trim().split(/[，,（(。、：:；;\s]/)[0] ?? '';
  const subject = head.replace(/^《(.+?)》.*$/, '$1');
  return subject.length >= 2 && subject.length <= 10 ? subject : undefined;
}

/**
 * A scripted follow-up test set from a BEIR collection: each conversation's follow-up cannot be understood
 * alone, and the documents it should retrieve are known from the collection's judgments. Deterministic:
 * queries are taken in file order.
 */
export function buildFollowUpSet(options: BuildFollowUpSetOptions): FollowUpConversation[] {
  const limit = options.limit ?? 50;
  const data = options.dataset;
  const docs = new Map(data.corpus.map((d) => [d.id, d]));
  const out: FollowUpConversation[] = [];
  const usedDocs = new Set<string>();
  for (const query of data.queries) {
    if (out.length >= limit) break;
    const relevant = [...(data.qrels.get(query.id) ?? [])].filter(([, gain]) => gain > 0).map(([id]) => id);
    if (relevant.length === 0) continue;
    if (options.language === 'en') {
      const c = englishConversation(query.text);
      if (c) out.push({ id: query.id, language: 'en', ...c, relevant });
      continue;
    }
    // One conversation per passage, so the set is not dominated by a few long passages.
    const docId = relevant[0]!;
    if (usedDocs.has(docId)) continue;
    const subject = chineseSubject(docs.get(docId)?.text ?? '');
    if (!subject || !query.text.includes(subject)) continue;
    usedDocs.add(docId);
    out.push({ id: query.id, language: 'zh', opening: `介绍一下${subject}。`, followUp: query.text.replaceAll(subject, '它'), standalone: query.text, relevant });
  }
  return out;
}
