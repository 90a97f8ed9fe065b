const BLOCK = /<(think|thinking|reasoning)>([\s\S]*?)(?:<\/\1>|$)/gi;
const LEADING_CLOSE = /^([\s\S]*?)<\/(think|thinking|reasoning)>/i;

/**
 * Separates the `<think>…</think>` reasoning that Qwen3, DeepSeek R1 and their distillations write before
 * the reply. Also handles the two shapes a plain regex misses: a reply that starts inside the block
 * because the chat template already opened it (only `</think>` appears), and a block the token limit cut
 * off (no closing tag: everything after `<think>` is reasoning, and there is no reply).
 */
export function splitThinking(text: string): { thinking: string; rest: string } {
  const parts: string[] = [];
  let rest = text;
  const leading = LEADING_CLOSE.exec(rest);
  if (leading && !/<(think|thinking|reasoning)>/i.test(leading[1]!)) {
    parts.push(leading[1]!.trim());
    rest = rest.slice(leading[0].length);
  }
  rest = rest.replace(BLOCK, (_whole, _tag: string, inner: string) => {
    parts.push(inner.trim());
    return '';
  });
  return { thinking: parts.filter(Boolean).join('\n\n'), rest: rest.trim() };
}
