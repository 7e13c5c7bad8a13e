import type { ResolvedValue } from '../../types';
import { type MappedText, MappedTextBuilder } from '../../text/mappedText';
import type { ShExpansion, ShHeredoc, ShWord } from './types';

/** Supplies the value of an expansion; `undefined` keeps the expansion text verbatim. */
/** `mapped`: the value as a virtual document of its own (its pieces keep their mappings), e.g. a variable's assignment. */
export type ShExpander = (e: ShExpansion) => { text: string; origin?: ResolvedValue; mapped?: MappedText } | undefined;

const ANSI: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

function nlLen(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 13) return t.charCodeAt(i + 1) === 10 ? 2 : 1;
  return c === 10 ? 1 : 0;
}

function sortedExpansions(list: readonly ShExpansion[]): ShExpansion[] {
  const out = list.slice();
  out.sort((a, b) => a.start - b.start);
  return out;
}

function emitExpansion(b: MappedTextBuilder, e: ShExpansion, expand: ShExpander | undefined): void {
  let v: ReturnType<ShExpander> | undefined;
  try {
    v = expand?.(e);
  } catch {
    v = undefined;
  }
  if (v) {
    if (v.mapped) b.embed(v.mapped, e.start, e.end, v.origin);
    else b.emit(v.text, e.start, e.end, v.origin);
    return;
  }
  if (e.templateEscaped) {
    // Terraform renders `$${X}` as `${X}`.
    b.emit('${', e.start, e.start + 3);
    b.copy(e.start + 3, e.end);
    return;
  }
  b.copy(e.start, e.end);
}

const enum Mode {
  Unquoted,
  Single,
  Double,
  Ansi,
}

/**
 * The value of a word after quote removal, as a virtual document mapping
 * back to the source. Expansions are substituted when `expand` returns a
 * value, else kept verbatim (`$${X}` of a templated word becomes `${X}`).
 */
export function decodeShWord(source: MappedText, word: ShWord, expand?: ShExpander): MappedText {
  const b = new MappedTextBuilder(source);
  const t = source.text;
  const exps = sortedExpansions(word.expansions);
  const templated = word.templated === true;
  const end = Math.min(word.end, t.length);
  let i = Math.max(0, word.start);
  let run = i;
  let ei = 0;
  let mode: Mode = Mode.Unquoted;
  const flush = (to: number): void => {
    const e = Math.min(to, end);
    if (e > run) b.copy(run, e);
  };
  while (i < end) {
    while (ei < exps.length && exps[ei]!.start < i) ei++;
    const e = exps[ei];
    if (e && e.start === i && (mode === Mode.Unquoted || mode === Mode.Double || e.template)) {
      flush(i);
      emitExpansion(b, e, expand);
      i = Math.max(e.end, i + 1);
      run = i;
      ei++;
      continue;
    }
    const c = t[i]!;
    if (templated && (c === '$' || c === '%') && t[i + 1] === c && t[i + 2] === '{') {
      flush(i);
      b.emit(c + '{', i, i + 3);
      i += 3;
      run = i;
      continue;
    }
    switch (mode) {
      case Mode.Single:
        if (c === "'") {
          flush(i);
          i++;
          run = i;
          mode = Mode.Unquoted;
        } else i++;
        continue;
      case Mode.Ansi:
        if (c === "'") {
          flush(i);
          i++;
          run = i;
          mode = Mode.Unquoted;
        } else if (c === '\\' && i + 1 < end) {
          flush(i);
          const n = t[i + 1]!;
          b.emit(ANSI[n] ?? '\\' + n, i, i + 2);
          i += 2;
          run = i;
        } else i++;
        continue;
      case Mode.Double:
        if (c === '"') {
          flush(i);
          i++;
          run = i;
          mode = Mode.Unquoted;
        } else if (c === '\\' && i + 1 < end) {
          const n = t[i + 1]!;
          if (n === '$' || n === '`' || n === '"' || n === '\\') {
            flush(i);
            b.emit(n, i, i + 2);
            i += 2;
            run = i;
          } else if (n === '\n' || n === '\r') {
            flush(i);
            i += 1 + nlLen(t, i + 1);
            run = i;
          } else i += 2;
        } else i++;
        continue;
      default:
        if (c === '\\') {
          flush(i);
          if (i + 1 >= end) {
            i++;
            run = i;
            continue;
          }
          const n = t[i + 1]!;
          if (n === '\n' || n === '\r') i += 1 + nlLen(t, i + 1);
          else {
            b.emit(n, i, i + 2);
            i += 2;
          }
          run = i;
        } else if (c === "'") {
          flush(i);
          i++;
          run = i;
          mode = Mode.Single;
        } else if (c === '"') {
          flush(i);
          i++;
          run = i;
          mode = Mode.Double;
        } else if (c === '$' && (t[i + 1] === "'" || t[i + 1] === '"')) {
          flush(i);
          mode = t[i + 1] === "'" ? Mode.Ansi : Mode.Double;
          i += 2;
          run = i;
        } else i++;
        continue;
    }
  }
  flush(end);
  return b.build();
}

/**
 * The body of a heredoc as a virtual document mapping back to the source.
 * Unquoted: `\$`, `` \` ``, `\\` decode to one character, backslash-newline
 * disappears, expansions are substituted when `expand` gives a value. Quoted:
 * verbatim (templated scans still substitute Terraform interpolations).
 * `<<-`: leading tabs are left out of the virtual text.
 */
export function decodeHeredocBody(source: MappedText, doc: ShHeredoc, expand?: ShExpander): MappedText {
  const b = new MappedTextBuilder(source);
  const t = source.text;
  const exps = sortedExpansions(doc.expansions);
  const templated = doc.templated === true;
  const end = Math.min(doc.bodyEnd, t.length);
  let i = Math.max(0, doc.bodyStart);
  let run = i;
  let ei = 0;
  let lineStart = true;
  const flush = (to: number): void => {
    const e = Math.min(to, end);
    if (e > run) b.copy(run, e);
  };
  while (i < end) {
    if (lineStart) {
      lineStart = false;
      if (doc.stripTabs && t[i] === '\t') {
        flush(i);
        while (i < end && t[i] === '\t') i++;
        run = i;
        continue;
      }
    }
    while (ei < exps.length && exps[ei]!.start < i) ei++;
    const e = exps[ei];
    if (e && e.start === i) {
      flush(i);
      emitExpansion(b, e, expand);
      i = Math.max(e.end, i + 1);
      run = i;
      ei++;
      continue;
    }
    const c = t[i]!;
    if (c === '\n' || c === '\r') {
      i += nlLen(t, i);
      lineStart = true;
      continue;
    }
    if (templated && (c === '$' || c === '%') && t[i + 1] === c && t[i + 2] === '{') {
      flush(i);
      b.emit(c + '{', i, i + 3);
      i += 3;
      run = i;
      continue;
    }
    if (!doc.quoted && c === '\\' && i + 1 < end) {
      const n = t[i + 1]!;
      if (n === '$' || n === '`' || n === '\\') {
        flush(i);
        b.emit(n, i, i + 2);
        i += 2;
        run = i;
      } else if (n === '\n' || n === '\r') {
        flush(i);
        i += 1 + nlLen(t, i + 1);
        run = i;
        lineStart = true;
      } else i++;
      continue;
    }
    i++;
  }
  flush(end);
  return b.build();
}
