/** Helpers of the incremental rescans (PowerShell, bash): where a new text first differs from the one before an edit, binary searches over sorted records. */

/** Length of the common prefix of two texts (compared in chunks: a keystroke changes one place of a long file). */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  const CHUNK = 1024;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of two texts, at most `max` (compared in chunks, like commonPrefixLength). */
export function commonSuffixLength(a: string, b: string, max: number): number {
  const n = Math.min(a.length, b.length, max);
  let i = 0;
  const CHUNK = 1024;
  while (i + CHUNK <= n && a.slice(a.length - i - CHUNK, a.length - i) === b.slice(b.length - i - CHUNK, b.length - i)) i += CHUNK;
  while (i < n && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** How many nodes of a list sorted by start begin before `offset` (a binary search). */
export function countBefore(list: ReadonlyArray<{ readonly start: number }>, offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many numbers of a sorted list are below `offset`. */
export function countBelow(sorted: readonly number[], offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
