/** One streamed chat completion through a gateway (the Claude Code benchmarks): ms to its first content delta and to its end. */
import type { Gateway } from "../tests/helpers/gateway";

export async function streamTurn(
  gw: Gateway,
  opts: { headers?: Record<string, string>; model?: string; text?: string } = {},
): Promise<{ ttft: number; total: number }> {
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...opts.headers },
    body: JSON.stringify({
      model: opts.model ?? "claude-code",
      messages: [{ role: "user", content: opts.text ?? "hi" }],
      stream: true,
    }),
  });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let first = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    if (first < 0 && /"content":"[^"]/.test(buf)) first = performance.now() - t0;
  }
  if (first < 0 || !buf.includes("[DONE]")) throw new Error(`no answer: ${buf.slice(0, 300)}`);
  return { ttft: first, total: performance.now() - t0 };
}
