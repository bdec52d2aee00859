/** Generation shorter than this is a burst (the reply arrived at once): its rate would mean nothing. */
export const MIN_GENERATION_MS = 50;

/**
 * Completion tokens per second: over the generation time (first token to end) when that is at least
 * MIN_GENERATION_MS, else over the whole duration when that is, else null (shown as "–").
 */
export function tokensPerSecond(r: {
  completionTokens: number | null;
  ttftMs: number | null;
  durationMs: number;
}): number | null {
  const tokens = r.completionTokens;
  if (!tokens || tokens <= 0) return null;
  const gen = r.ttftMs != null ? r.durationMs - r.ttftMs : null;
  if (gen != null && gen >= MIN_GENERATION_MS) return tokens / (gen / 1000);
  if (r.durationMs >= MIN_GENERATION_MS) return tokens / (r.durationMs / 1000);
  return null;
}
