import type { PsValue } from '../../../server/src/core/parsers/powershell/types';

/** Offset of the `nth` (0-based) occurrence of `needle` in `text`; throws when absent. */
export function at(text: string, needle: string, nth = 0): number {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`not found: ${needle} #${nth}`);
  }
  return i;
}

/** Compact description of a value for assertions. */
export function show(text: string, v: PsValue | undefined): string {
  if (!v) return '-';
  switch (v.kind) {
    case 'string':
      return `str(${text.slice(v.literal.contentStart, v.literal.contentEnd)})`;
    case 'variable':
      return `$${v.name}`;
    case 'bareword':
      return `word(${v.text})`;
    case 'other':
      return `other(${v.text})`;
    case 'read':
      return `read(${show(text, v.path)})`;
    case 'replace':
      return `replace(${show(text, v.base)}${v.ops.map((o) => ` ${o.operator} ${show(text, o.pattern)},${show(text, o.replacement)}`).join('')})`;
  }
}
