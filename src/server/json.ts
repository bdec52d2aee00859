/** JSON text parsed, or the text itself when it is not JSON (a clipped prompt, a tool's raw arguments). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
