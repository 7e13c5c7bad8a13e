import { MappedText } from '../../../server/src/core/text/mappedText';

export { MappedText };

/** Offset of the `nth` (0-based) occurrence of `needle` in `text`; throws when absent. */
export function at(text: string, needle: string, nth = 0): number {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`'${needle}' #${nth} not found`);
  }
  return i;
}

/** Asserts each virtual character maps to a host character with the same value, except where `skip` says. */
export function mappedChars(mt: MappedText, host: string): Array<{ v: string; h: string; offset: number; exact: boolean }> {
  const out: Array<{ v: string; h: string; offset: number; exact: boolean }> = [];
  for (let v = 0; v < mt.text.length; v++) {
    const o = mt.hostOffset(v).offset;
    out.push({ v: mt.text[v]!, h: host[o] ?? '', offset: o, exact: mt.isExactAt(v) });
  }
  return out;
}
