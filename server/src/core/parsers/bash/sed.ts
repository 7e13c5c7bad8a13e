import { MappedText } from '../../text/mappedText';
import { decodeShWord } from './decode';
import type { ShCommand, ShSed, ShSedCommand, ShSedSubstitution, ShWord } from './types';

/** A word made of `w`'s raw text from `offset` on (the prefix must be plain text). */
function subWord(w: ShWord, offset: number): ShWord {
  const start = w.start + offset;
  return {
    start,
    end: w.end,
    raw: w.raw.slice(offset),
    literal: w.literal === undefined ? undefined : w.literal.slice(offset),
    expansions: w.expansions.filter((e) => e.start >= start),
    ...(w.templated ? { templated: true } : {}),
  };
}

function plainPrefix(w: ShWord, n: number): boolean {
  return w.literal !== undefined ? w.raw.slice(0, n) === w.literal.slice(0, n) : /^[-\w=]*$/.test(w.raw.slice(0, n));
}

/** The `sed` invocation of `cmd` (`-i`, `-e`, script, files, `s` commands with source offsets). */
export function extractSed(text: string, cmd: ShCommand): ShSed | undefined {
  const args = cmd.args;
  let inPlace = false;
  let suffix: string | undefined;
  const scripts: ShWord[] = [];
  const positional: ShWord[] = [];
  let opts = true;
  let scriptFile = false;
  let extended = false;
  let unmodelled: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const l = a.literal ?? (a.expansions.length > 0 && a.expansions[0]!.start > a.start ? a.raw.slice(0, a.expansions[0]!.start - a.start) : '');
    if (opts && l.startsWith('-') && l.length > 1) {
      if (l === '--') {
        opts = false;
        continue;
      }
      if (l.startsWith('--')) {
        if (l === '--in-place' || l.startsWith('--in-place=')) {
          inPlace = true;
          suffix = l.length > 11 ? l.slice(11) : undefined;
        } else if (l === '--expression') {
          const n = args[k + 1];
          if (n) scripts.push(n);
          k++;
        } else if (l.startsWith('--expression=') && plainPrefix(a, 13)) scripts.push(subWord(a, 13));
        else if (l === '--file') {
          scriptFile = true;
          k++;
        } else if (l.startsWith('--file=')) scriptFile = true;
        else if (l === '--regexp-extended') extended = true;
        else if (l === '--quiet' || l === '--silent') unmodelled = 'sed -n writes only the lines the script prints';
        else if (l === '--null-data' || l === '--zero-terminated') unmodelled = 'sed -z reads NUL-separated records, not lines';
        else if (l === '--posix') unmodelled = 'sed --posix turns off the GNU extensions';
        continue;
      }
      for (let j = 1; j < l.length; j++) {
        const ch = l[j];
        if (ch === 'i') {
          inPlace = true;
          suffix = j + 1 < l.length ? l.slice(j + 1) : undefined;
          // BSD `-i ''`
          if (suffix === undefined && args[k + 1]?.literal === '') k++;
          break;
        }
        if (ch === 'E' || ch === 'r') extended = true;
        if (ch === 'n') unmodelled = 'sed -n writes only the lines the script prints';
        if (ch === 'z') unmodelled = 'sed -z reads NUL-separated records, not lines';
        if (ch === 'e') {
          if (j + 1 < l.length) {
            if (plainPrefix(a, j + 1)) scripts.push(subWord(a, j + 1));
          } else {
            const n = args[k + 1];
            if (n) scripts.push(n);
            k++;
          }
          break;
        }
        if (ch === 'f') {
          scriptFile = true;
          if (j + 1 === l.length) k++;
          break;
        }
        if (ch === 'l') {
          if (j + 1 === l.length) k++;
          break;
        }
      }
      continue;
    }
    positional.push(a);
  }
  let files = positional;
  if (scripts.length === 0 && !scriptFile && positional.length > 0) {
    scripts.push(positional[0]!);
    files = positional.slice(1);
  }
  const mt = MappedText.identity('', text);
  const substitutions: ShSedSubstitution[] = [];
  const program: ShSedCommand[] = [];
  for (const w of scripts) parseScript(mt, w, substitutions, program);
  if (scriptFile && !unmodelled) unmodelled = 'the sed script is read from a file (-f)';
  // The shell expands the script before sed reads it: an expansion outside a replacement (`sed -i "$EXPR"`,
  // `s/$OLD/new/`, `/$KEY/d`) makes the commands or the pattern a run-time value.
  const outside = scripts.flatMap((w) => w.expansions).find((e) => !substitutions.some((x) => e.start >= x.replacementStart && e.end <= x.replacementEnd));
  if (outside && !unmodelled) unmodelled = `the sed script has the shell expansion \`${text.slice(outside.start, outside.end)}\` outside a replacement`;
  return {
    start: cmd.start,
    end: cmd.end,
    inPlace,
    substitutions,
    extended,
    program,
    ...(unmodelled ? { unmodelled } : {}),
    files,
    command: cmd,
    ...(suffix !== undefined ? { backupSuffix: suffix } : {}),
  };
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

/** Index of the unescaped delimiter `d` from p, or -1. */
function findDelim(s: string, p: number, d: string): number {
  while (p < s.length) {
    const c = s[p];
    if (c === '\\') p += 2;
    else if (c === d) return p;
    else if (c === '\n' && d !== '\n') return -1;
    else p++;
  }
  return -1;
}

/** `s` with each `\\<d>` turned into `d` (sed's escaped delimiter); other escapes kept. */
export function unescapeDelim(s: string, d: string): string {
  if (d === '\\') return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === d) {
      out += d;
      i++;
    } else if (s[i] === '\\' && i + 1 < s.length) {
      out += s[i]! + s[i + 1]!;
      i++;
    } else out += s[i]!;
  }
  return out;
}

function skipAddress(s: string, p: number): number {
  for (let guard = 0; guard < 4 && p < s.length; guard++) {
    const c = s[p]!;
    if (c >= '0' && c <= '9') {
      while (p < s.length && /[0-9~]/.test(s[p]!)) p++;
    } else if (c === '$') p++;
    else if (c === '/') {
      const e = findDelim(s, p + 1, '/');
      if (e < 0) return s.length;
      p = e + 1;
      while (s[p] === 'I' || s[p] === 'M') p++;
    } else if (c === '\\' && p + 1 < s.length) {
      const e = findDelim(s, p + 2, s[p + 1]!);
      if (e < 0) return s.length;
      p = e + 1;
    } else break;
    while (isSpace(s[p])) p++;
    if (s[p] === ',') {
      p++;
      while (isSpace(s[p])) p++;
      continue;
    }
    break;
  }
  while (isSpace(s[p])) p++;
  if (s[p] === '!') p++;
  while (isSpace(s[p])) p++;
  return p;
}

function parseScript(mt: MappedText, w: ShWord, out: ShSedSubstitution[], program: ShSedCommand[]): void {
  const v = decodeShWord(mt, w);
  const s = v.text;
  const host = (i: number, bias: 'start' | 'end'): number => v.hostOffset(i, bias).offset;
  let p = 0;
  let address: string | undefined;
  const push = (kind: 'd' | '{'): void => {
    program.push(address !== undefined ? { kind, address } : { kind });
    address = undefined;
  };
  while (p < s.length) {
    const c = s[p]!;
    if (c === ';' || c === '\n' || isSpace(c)) {
      p++;
      continue;
    }
    if (c === '{' || c === 'd') {
      push(c);
      p++;
      continue;
    }
    if (c === '}') {
      program.push({ kind: '}' });
      p++;
      continue;
    }
    if (c === '#') {
      while (p < s.length && s[p] !== '\n') p++;
      continue;
    }
    const q = address === undefined ? skipAddress(s, p) : p;
    if (q !== p) {
      address = s.slice(p, q).trim();
      p = q;
      continue;
    }
    if (c === 's' && p + 1 < s.length && s[p + 1] !== '\n' && s[p + 1] !== '\\') {
      const d = s[p + 1]!;
      const ps = p + 2;
      const pe = findDelim(s, ps, d);
      if (pe < 0) return;
      const rs = pe + 1;
      const re = findDelim(s, rs, d);
      if (re < 0) return;
      let f = re + 1;
      while (f < s.length && /[gpiImMe0-9]/.test(s[f]!)) f++;
      if (s[f] === 'w') {
        while (f < s.length && s[f] !== '\n') f++;
      }
      const patternStart = host(ps, 'start');
      const replacementStart = host(rs, 'start');
      const patternEnd = pe > ps ? host(pe, 'end') : patternStart;
      const replacementEnd = re > rs ? host(re, 'end') : replacementStart;
      const pattern = s.slice(ps, pe);
      const replacement = s.slice(rs, re);
      program.push(address !== undefined ? { kind: 's', index: out.length, address } : { kind: 's', index: out.length });
      address = undefined;
      out.push({
        start: host(p, 'start'),
        end: host(f, 'end'),
        pattern,
        replacement,
        flags: s.slice(re + 1, f),
        patternStart,
        patternEnd,
        replacementStart,
        replacementEnd,
        expansions: w.expansions.filter((e) => e.start >= replacementStart && e.end <= replacementEnd),
        delimiter: d,
        patternUnescaped: unescapeDelim(pattern, d),
        replacementUnescaped: unescapeDelim(replacement, d),
      });
      p = f;
      continue;
    }
    program.push(address !== undefined ? { kind: 'other', name: c, address } : { kind: 'other', name: c });
    address = undefined;
    if (c === 'y' && p + 1 < s.length) {
      const d = s[p + 1]!;
      const a = findDelim(s, p + 2, d);
      const b = a < 0 ? -1 : findDelim(s, a + 1, d);
      p = b < 0 ? s.length : b + 1;
      continue;
    }
    // `a`, `i`, `c` text (GNU one-liner form) runs to the end of the line; any other command to the next `;` or newline.
    if ('aic'.includes(c)) while (p < s.length && s[p] !== '\n') p++;
    else while (p < s.length && s[p] !== ';' && s[p] !== '\n') p++;
  }
}
