/** Helpers of the incremental rescans (PowerShell, bash): where a new text first differs from the text before an edit. */

/** Length of the common prefix of two texts (compared in chunks: a keystroke changes one place of a long file). */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  const CHUNK = 1024;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
