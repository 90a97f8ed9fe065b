import { type LlamaContextSequence, type SequenceEvaluateOptions, type Token, TokenPredictor } from 'node-llama-cpp';

/**
 * A draft-model predictor that can be paused per request. Grammar-constrained answers pause it when the
 * UTF-8 guard is in force: a speculative batch samples several positions with one token bias, while the
 * guard's bias depends on the byte just before each position, so drafted bytes could be judged against
 * the wrong state. Paused, it drafts nothing and stays idle instead of drafting for nobody.
 */
export class SwitchablePredictor extends TokenPredictor {
  enabled = true;

  constructor(private readonly inner: TokenPredictor) {
    super();
  }

  override reset(params: { targetSequence: LlamaContextSequence; stateTokens: Token[]; evaluateOptions: Readonly<SequenceEvaluateOptions> }): Promise<void> | void {
    // The sequence resets its predictor at the start of every evaluation, so a paused one catches up then.
    if (!this.enabled) return this.inner.stop();
    return this.inner.reset(params);
  }

  override pushTokens(tokens: Token[]): void {
    if (this.enabled) this.inner.pushTokens(tokens);
  }

  override predictTokens(): Promise<Token[]> | Token[] {
    return this.enabled ? this.inner.predictTokens() : [];
  }

  override stop(untilPredictionsExhausted?: boolean): Promise<void> | void {
    return this.inner.stop(untilPredictionsExhausted);
  }

  override updateInputTokens(tokens: Token[]): void {
    if (this.enabled) this.inner.updateInputTokens(tokens);
  }

  override dispose(): Promise<void> | void {
    return this.inner.dispose();
  }
}
