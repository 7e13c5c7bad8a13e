/**
 * Light statement parser over the tolerant lexer's tokens. It is not a
 * PowerShell grammar: it recognises pipelines, commands with parameters and
 * arguments, assignments, static method calls and a small expression subset
 * (replace chains, reads), and it walks every nested block. Nesting is
 * handled with a depth limit plus a work list, so deep input cannot overflow
 * the stack; every token is visited a bounded number of times.
 */
import { K, type Stream, type Tok } from './lexer';
import type { PsAssignment, PsCommand, PsFileWrite, PsMethodCall, PsParameter, PsReplaceOp, PsStringLiteral, PsValue } from './types';

const MAX_DEPTH = 40;
const OPENERS = new Set(['(', '$(', '@(', '{', '@{', '[']);

const KEYWORDS_BLOCK = new Set([
  'if',
  'elseif',
  'else',
  'foreach',
  'for',
  'while',
  'do',
  'until',
  'switch',
  'try',
  'catch',
  'finally',
  'trap',
  'data',
  'class',
  'enum',
  'configuration',
  'node',
]);
const KEYWORDS_SCRIPTBLOCK_NAMED = new Set(['begin', 'process', 'end', 'dynamicparam', 'clean']);
const KEYWORDS_VALUE = new Set(['return', 'throw', 'exit']);
const KEYWORDS_BARE = new Set(['break', 'continue', 'using']);
const KEYWORDS_FUNCTION = new Set(['function', 'filter', 'workflow']);

const OPERATOR_NAMES = new Set([
  'replace',
  'creplace',
  'ireplace',
  'f',
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'ceq',
  'cne',
  'ieq',
  'ine',
  'cgt',
  'clt',
  'cge',
  'cle',
  'like',
  'notlike',
  'clike',
  'ilike',
  'cnotlike',
  'match',
  'notmatch',
  'cmatch',
  'imatch',
  'cnotmatch',
  'contains',
  'notcontains',
  'ccontains',
  'in',
  'notin',
  'cin',
  'is',
  'isnot',
  'as',
  'and',
  'or',
  'xor',
  'not',
  'band',
  'bor',
  'bxor',
  'bnot',
  'shl',
  'shr',
  'join',
  'split',
  'csplit',
  'isplit',
]);
const UNARY_OPERATORS = new Set(['not', 'bnot', 'join', 'split']);

/** Switch parameters that never take a value (so the next token is positional). */
const SWITCHES = new Set([
  'append',
  'force',
  'recurse',
  'raw',
  'nonewline',
  'passthru',
  'wait',
  'noclobber',
  'whatif',
  'confirm',
  'verbose',
  'debug',
  'usebasicparsing',
  'nonewwindow',
  'asjob',
  'quiet',
  'y',
  'enable',
  'disable',
  'noprofile',
  'noninteractive',
  'nologo',
  'allowclobber',
  'skippublishercheck',
  'includeallsubfeature',
  'includemanagementtools',
  'asplaintext',
  'asstring',
  'leaf',
  'container',
  'isvalid',
  'list',
  'readcount',
  'unique',
  'skipnetworkprofilecheck',
  'erroraction:stop',
  'expandproperty:',
  'ignorecase',
  'casesensitive',
  'simplematch',
  'notmatch',
  'all',
  'online',
]);

type Value = PsValue;
type MutCommand = { -readonly [P in keyof PsCommand]: PsCommand[P] } & { invocationOperator?: '&' | '.' };

interface Out {
  readonly commands: PsCommand[];
  readonly methodCalls: PsMethodCall[];
  readonly assignments: PsAssignment[];
  readonly fileWrites: PsFileWrite[];
}

interface Res {
  value: Value;
  next: number;
}

export class Parser {
  private readonly work: Array<{ s: Stream; from: number; to: number }> = [];

  constructor(
    private readonly text: string,
    private readonly out: Out,
  ) {}

  run(main: Stream): void {
    this.work.push({ s: main, from: 0, to: main.toks.length });
    let guard = 0;
    while (this.work.length > 0 && guard++ < 10_000_000) {
      const w = this.work.pop()!;
      this.parseBlock(w.s, w.from, w.to, 0);
    }
  }

  // ---------------------------------------------------------------- blocks

  private parseBlock(s: Stream, from: number, to: number, depth: number): void {
    let i = from;
    while (i < to) {
      const t = s.toks[i]!;
      if (
        t.k === K.Nl ||
        (t.k === K.Punct && (t.t === ';' || t.t === ')' || t.t === '}' || t.t === ']' || t.t === ',' || t.t === '&&' || t.t === '||' || t.t === '|'))
      ) {
        i++;
        continue;
      }
      const next = this.parseStatement(s, i, to, depth);
      i = Math.max(next, i + 1);
    }
  }

  /** Parses the inside of the group opened at `open`; returns the index after its closer. */
  private group(s: Stream, open: number, to: number, depth: number): number {
    const close = Math.min(this.closeOf(s, open), to);
    if (depth >= MAX_DEPTH) this.work.push({ s, from: open + 1, to: close });
    else this.parseBlock(s, open + 1, close, depth + 1);
    return Math.min(close + 1, Math.max(to, open + 1));
  }

  private closeOf(s: Stream, open: number): number {
    const m = s.match[open];
    return m === undefined || m < 0 ? open + 1 : m;
  }

  private parseStatement(s: Stream, i: number, to: number, depth: number): number {
    const t = s.toks[i]!;
    if (t.k === K.Word) {
      const kw = t.t.toLowerCase();
      if (KEYWORDS_FUNCTION.has(kw)) return this.parseFunction(s, i + 1, to, depth);
      if (kw === 'param') {
        const j = this.skipNl(s, i + 1, to);
        if (this.isPunct(s, j, '(')) return this.parseParamBlock(s, j, to, depth);
      }
      if (KEYWORDS_BLOCK.has(kw) || (KEYWORDS_SCRIPTBLOCK_NAMED.has(kw) && this.isPunct(s, this.skipNl(s, i + 1, to), '{'))) {
        return this.parseControl(s, i + 1, to, depth, kw);
      }
      if (KEYWORDS_VALUE.has(kw)) {
        const j = i + 1;
        if (j < to && !this.endsStatement(s.toks[j]!)) return this.parsePipeline(s, j, to, depth).next;
        return j;
      }
      if (KEYWORDS_BARE.has(kw)) {
        let j = i + 1;
        while (j < to && s.toks[j]!.k !== K.Nl && !this.isPunct(s, j, ';')) j++;
        return j;
      }
    }
    return this.parsePipeline(s, i, to, depth).next;
  }

  private parseFunction(s: Stream, i: number, to: number, depth: number): number {
    let j = this.skipNl(s, i, to);
    if (j < to && s.toks[j]!.k === K.Word) j++;
    j = this.skipNl(s, j, to);
    if (this.isPunct(s, j, '(')) {
      j = this.parseParamBlock(s, j, to, depth);
      j = this.skipNl(s, j, to);
    }
    if (this.isPunct(s, j, '{')) return this.group(s, j, to, depth);
    return j;
  }

  private parseControl(s: Stream, i: number, to: number, depth: number, kw: string): number {
    let j = i;
    for (let guard = 0; j < to && guard < 64; guard++) {
      const t = s.toks[j]!;
      if (t.k === K.Nl) {
        // `if (x)\n{`: a newline may separate the condition from the block.
        const k = this.skipNl(s, j, to);
        if (this.isPunct(s, k, '{') || this.isPunct(s, k, '(')) {
          j = k;
          continue;
        }
        return j;
      }
      if (t.k === K.Punct && t.t === '(') {
        if (kw === 'foreach') {
          // `foreach ($x in <pipeline>)`: parse what follows `in`.
          const close = Math.min(this.closeOf(s, j), to);
          let k = j + 1;
          while (k < close && !(s.toks[k]!.k === K.Word && s.toks[k]!.t.toLowerCase() === 'in')) k++;
          if (k < close) {
            this.parseBlock(s, k + 1, close, depth + 1 > MAX_DEPTH ? depth : depth + 1);
            j = Math.min(close + 1, to);
            continue;
          }
        }
        j = this.group(s, j, to, depth);
        continue;
      }
      if (t.k === K.Punct && t.t === '{') {
        j = this.group(s, j, to, depth);
        // `if {…} else {…}`, `try {…} catch {…} finally {…}`, `do {…} while (…)`.
        const k = this.skipNl(s, j, to);
        const n = s.toks[k];
        if (n && k < to && n.k === K.Word && /^(else|elseif|catch|finally|while|until)$/i.test(n.t)) {
          kw = n.t.toLowerCase();
          j = k + 1;
          continue;
        }
        return j;
      }
      if (t.k === K.Type || t.k === K.Param || (t.k === K.Punct && t.t === ',') || (t.k === K.Word && guard === 0 && kw !== 'if' && kw !== 'elseif')) {
        j++;
        continue;
      }
      return j;
    }
    return j;
  }

  /** `param( [type]$Name = default, … )` at `open`. */
  private parseParamBlock(s: Stream, open: number, to: number, depth: number): number {
    const close = Math.min(this.closeOf(s, open), to);
    let j = open + 1;
    while (j < close) {
      const t = s.toks[j]!;
      if (t.k === K.Punct && (t.t === '[' || t.t === '(' || t.t === '{' || t.t === '@(' || t.t === '@{' || t.t === '$(')) {
        const c = Math.min(this.closeOf(s, j), close);
        if (t.t !== '[') this.parseBlock(s, j + 1, c, depth + 1);
        j = c + 1;
        continue;
      }
      if (t.k === K.Var) {
        const k = this.skipNl(s, j + 1, close);
        const eq = s.toks[k];
        if (eq && eq.k === K.Op && eq.t === '=' && k < close) {
          const r = this.parseExpression(s, this.skipNl(s, k + 1, close), close, depth, true);
          this.out.assignments.push({ start: t.s, end: r.value.end, name: t.t, nameStart: t.s, nameEnd: t.e, value: r.value, isParameterDefault: true });
          j = r.next;
          continue;
        }
      }
      j++;
    }
    return Math.min(close + 1, Math.max(to, open + 1));
  }

  // ---------------------------------------------------------------- pipelines

  private parsePipeline(s: Stream, i: number, to: number, depth: number): Res {
    const toks = s.toks;
    // Assignment: [type]…$var = value
    let j = i;
    while (j < to && toks[j]!.k === K.Type) j++;
    const v = toks[j];
    if (v && j < to && v.k === K.Var && !v.splat) {
      const eqI = j + 1;
      const eq = toks[eqI];
      if (eq && eqI < to && eq.k === K.Op && /^(=|\+=|-=|\*=|\/=|%=)$/.test(eq.t)) {
        const rhsStart = this.skipNl(s, eqI + 1, to);
        const r = rhsStart < to ? this.parseRhs(s, rhsStart, to, depth) : undefined;
        this.out.assignments.push({
          start: toks[i]!.s,
          end: r ? r.value.end : eq.e,
          name: v.t,
          nameStart: v.s,
          nameEnd: v.e,
          value: r?.value,
          isParameterDefault: false,
        });
        return { value: r?.value ?? other(this.text, v.s, eq.e), next: r ? r.next : eqI + 1 };
      }
    }
    const start = toks[i]!.s;
    let input: Value | undefined;
    let value: Value | undefined;
    let elements = 0;
    let k = i;
    while (k < to) {
      const t = toks[k]!;
      let r: Res;
      if (this.isCommandStart(t, elements > 0)) {
        r = this.parseCommand(s, k, to, depth, input);
      } else {
        r = this.parseExpression(s, k, to, depth, false);
        r = { value: r.value, next: this.redirections(s, r.next, to, depth, r.value) };
        // Assignment to a member / index (`$x.Prop = …`): parse the right side for nested commands.
        const eq = toks[r.next];
        if (eq && r.next < to && eq.k === K.Op && /^(=|\+=|-=)$/.test(eq.t)) {
          const rhs = this.skipNl(s, r.next + 1, to);
          if (rhs < to) r = this.parseRhs(s, rhs, to, depth);
        }
      }
      elements++;
      value = r.value;
      k = Math.max(r.next, k + 1);
      const p = toks[k];
      if (p && k < to && p.k === K.Punct && p.t === '|') {
        input = pipeable(value);
        k = this.skipNl(s, k + 1, to);
        continue;
      }
      break;
    }
    const end = toks[Math.min(k, to) - 1]?.e ?? start;
    if (elements > 1 || value === undefined) value = other(this.text, start, Math.max(start, end));
    return { value, next: k };
  }

  /** Right side of an assignment: a statement (if/switch/…) or a pipeline. */
  private parseRhs(s: Stream, i: number, to: number, depth: number): Res {
    const t = s.toks[i]!;
    if (t.k === K.Word) {
      const kw = t.t.toLowerCase();
      if (KEYWORDS_BLOCK.has(kw) || KEYWORDS_FUNCTION.has(kw)) {
        const next = this.parseStatement(s, i, to, depth);
        const end = s.toks[Math.min(next, to) - 1]?.e ?? t.e;
        return { value: other(this.text, t.s, end), next };
      }
    }
    return this.parsePipeline(s, i, to, depth);
  }

  private isCommandStart(t: Tok, inPipeline: boolean): boolean {
    if (t.k === K.Word) return !isNumberLike(t.t);
    if (t.k === K.Punct && t.t === '&') return true;
    if (t.k === K.Op && (t.t === '.' || (inPipeline && t.t === '%'))) return true;
    return false;
  }

  private endsStatement(t: Tok): boolean {
    if (t.k === K.Nl) return true;
    if (t.k !== K.Punct) return false;
    return t.t === ';' || t.t === '|' || t.t === ')' || t.t === '}' || t.t === ']' || t.t === '&&' || t.t === '||' || t.t === '&';
  }

  // ---------------------------------------------------------------- commands

  private parseCommand(s: Stream, i: number, to: number, depth: number, input: Value | undefined): Res {
    const toks = s.toks;
    const first = toks[i]!;
    let nameTok = first;
    let j = i + 1;
    let invocation: '&' | '.' | undefined;
    let name: string;
    let nameStart = first.s;
    let nameEnd = first.e;
    if ((first.k === K.Punct && first.t === '&') || (first.k === K.Op && first.t === '.')) {
      invocation = first.t === '&' ? '&' : '.';
      if (j < to && !this.endsStatement(toks[j]!)) {
        nameTok = toks[j]!;
        const r = this.parseArgument(s, j, to, depth);
        nameStart = nameTok.s;
        nameEnd = r.value.end;
        name = valueText(this.text, r.value);
        j = r.next;
      } else {
        name = first.t;
      }
    } else {
      name = first.t;
    }
    const parameters: PsParameter[] = [];
    const args: Value[] = [];
    const redirects: Array<{ op: Tok; target: Value | undefined }> = [];
    let lastEnd = nameEnd;
    while (j < to) {
      const t = toks[j]!;
      if (this.endsStatement(t)) break;
      if (t.k === K.Redir) {
        const r = this.redirectTarget(s, j, to, depth);
        redirects.push({ op: t, target: r.target });
        lastEnd = r.target?.end ?? t.e;
        j = r.next;
        continue;
      }
      if (t.k === K.Param) {
        let value: Value | undefined;
        let next = j + 1;
        const nt = toks[next];
        if (t.colon) {
          if (nt && next < to && !nt.sp && !this.endsStatement(nt)) {
            const r = this.parseArgument(s, next, to, depth);
            value = r.value;
            next = r.next;
          }
        } else if (nt && next < to && !SWITCHES.has(t.t.toLowerCase()) && this.isArgumentStart(nt)) {
          const r = this.parseArgument(s, next, to, depth);
          value = r.value;
          next = r.next;
        }
        parameters.push({ start: t.s, end: value?.end ?? t.e, name: t.t, value });
        lastEnd = value?.end ?? t.e;
        j = next;
        continue;
      }
      if (
        t.k === K.Op &&
        (t.t === '=' ||
          t.t === '!' ||
          t.t === '+' ||
          t.t === '*' ||
          t.t === '/' ||
          t.t === '%' ||
          t.t === '-' ||
          t.t === '.' ||
          t.t === '..' ||
          t.t === '--' ||
          t.t === '++' ||
          t.t === '!=')
      ) {
        // Loose operator characters in argument mode are literal text.
        args.push({ start: t.s, end: t.e, kind: 'bareword', text: t.t });
        lastEnd = t.e;
        j++;
        continue;
      }
      const r = this.parseArgument(s, j, to, depth);
      args.push(r.value);
      lastEnd = r.value.end;
      j = Math.max(r.next, j + 1);
    }
    const cmd: MutCommand = { start: first.s, end: lastEnd, name, nameStart, nameEnd, parameters, arguments: args, pipelineInput: input };
    if (invocation) cmd.invocationOperator = invocation;
    this.out.commands.push(cmd);
    this.commandWrite(cmd);
    const value = this.commandValue(cmd);
    for (const r of redirects) this.redirectWrite(r.op, r.target, echoContent(cmd) ?? value, cmd.start);
    return { value, next: j };
  }

  private isArgumentStart(t: Tok): boolean {
    if (this.endsStatement(t)) return false;
    if (t.k === K.Param || t.k === K.Redir) return false;
    if (t.k === K.Punct && (t.t === ',' || t.t === '::' || t.t === '.')) return false;
    return true;
  }

  /** One command argument: adjacent tokens glued together, then a `,` list. */
  private parseArgument(s: Stream, i: number, to: number, depth: number): Res {
    const toks = s.toks;
    const startTok = toks[i]!;
    let r = this.parseArgPrimary(s, i, to, depth);
    let glued = false;
    let j = r.next;
    while (j < to) {
      const t = toks[j]!;
      if (t.sp || this.endsStatement(t) || t.k === K.Redir || (t.k === K.Punct && t.t === ',')) break;
      glued = true;
      if (t.k === K.Op || t.k === K.Param || (t.k === K.Punct && !OPENERS.has(t.t))) {
        j++;
        continue;
      }
      const r2 = this.parseArgPrimary(s, j, to, depth);
      j = Math.max(r2.next, j + 1);
    }
    let value = r.value;
    let endTok = toks[j - 1]!;
    if (glued) value = other(this.text, startTok.s, endTok.e);
    // Array argument `a, b, c`.
    if (j < to && this.isPunct(s, j, ',')) {
      while (j < to && this.isPunct(s, j, ',')) {
        const k = this.skipNl(s, j + 1, to);
        if (k >= to || !this.isArgumentStart(toks[k]!)) {
          j = k;
          break;
        }
        r = this.parseArgument(s, k, to, depth);
        j = r.next;
      }
      endTok = toks[Math.min(j, to) - 1]!;
      value = other(this.text, startTok.s, endTok.e);
    }
    return { value, next: j };
  }

  private parseArgPrimary(s: Stream, i: number, to: number, depth: number): Res {
    const t = s.toks[i]!;
    if (t.k === K.Word) return this.postfix(s, i + 1, to, depth, { start: t.s, end: t.e, kind: 'bareword', text: t.t });
    return this.parsePrimary(s, i, to, depth);
  }

  // ---------------------------------------------------------------- expressions

  /**
   * Expression mode: a primary, postfix accesses, then binary operators.
   * `-replace`/`-creplace` chains keep their structure; any other operator
   * makes the whole expression `other`. `noComma` stops at `,` (arguments).
   */
  private parseExpression(s: Stream, i: number, to: number, depth: number, noComma: boolean): Res {
    const toks = s.toks;
    const start = toks[i]!.s;
    const first = this.parseUnary(s, i, to, depth);
    let j = first.next;
    const ops: PsReplaceOp[] = [];
    let mixed = false;
    let lastEnd = first.value.end;
    for (let guard = 0; j < to && guard < 1_000_000; guard++) {
      const t = toks[j]!;
      if (t.k === K.Param && OPERATOR_NAMES.has(t.t.toLowerCase())) {
        const op = t.t.toLowerCase();
        let k = this.skipNl(s, j + 1, to);
        if (k >= to || this.endsStatement(toks[k]!)) {
          lastEnd = t.e;
          mixed = true;
          j = k;
          break;
        }
        if (op === 'replace' || op === 'creplace' || op === 'ireplace') {
          const pat = this.parseUnary(s, k, to, depth);
          k = pat.next;
          let replacement: Value | undefined;
          if (!noComma && k < to && this.isPunct(s, k, ',')) {
            const k2 = this.skipNl(s, k + 1, to);
            if (k2 < to && !this.endsStatement(toks[k2]!)) {
              const rep = this.parseUnary(s, k2, to, depth);
              replacement = rep.value;
              k = rep.next;
            } else k = k2;
          }
          const end = replacement?.end ?? pat.value.end;
          ops.push({ start: t.s, end, operator: `-${op}` as PsReplaceOp['operator'], pattern: pat.value, replacement });
          lastEnd = end;
          j = k;
          continue;
        }
        const rhs = this.parseUnary(s, k, to, depth);
        mixed = true;
        lastEnd = rhs.value.end;
        j = rhs.next;
        continue;
      }
      if (t.k === K.Op && t.t !== '=' && !/=$/.test(t.t)) {
        const k = this.skipNl(s, j + 1, to);
        if (k >= to || this.endsStatement(toks[k]!)) {
          j = k;
          break;
        }
        const rhs = this.parseUnary(s, k, to, depth);
        mixed = true;
        lastEnd = rhs.value.end;
        j = rhs.next;
        continue;
      }
      if (!noComma && t.k === K.Punct && t.t === ',') {
        const k = this.skipNl(s, j + 1, to);
        if (k >= to || this.endsStatement(toks[k]!)) {
          j = k;
          break;
        }
        const rhs = this.parseUnary(s, k, to, depth);
        mixed = true;
        lastEnd = rhs.value.end;
        j = rhs.next;
        continue;
      }
      break;
    }
    let value: Value;
    if (mixed) value = other(this.text, start, lastEnd);
    else if (ops.length > 0) value = { start, end: lastEnd, kind: 'replace', base: first.value, ops };
    else value = first.value;
    return { value, next: j };
  }

  private parseUnary(s: Stream, i: number, to: number, depth: number): Res {
    const t = s.toks[i]!;
    if (
      (t.k === K.Param && UNARY_OPERATORS.has(t.t.toLowerCase())) ||
      (t.k === K.Op && (t.t === '!' || t.t === '-' || t.t === '+' || t.t === '++' || t.t === '--')) ||
      (t.k === K.Punct && t.t === ',')
    ) {
      const k = this.skipNl(s, i + 1, to);
      if (k >= to || this.endsStatement(s.toks[k]!)) return { value: other(this.text, t.s, t.e), next: k };
      const r = this.parseUnary(s, k, to, depth + 1 > MAX_DEPTH * 4 ? depth : depth + 1);
      return { value: other(this.text, t.s, r.value.end), next: r.next };
    }
    return this.parsePrimary(s, i, to, depth);
  }

  private parsePrimary(s: Stream, i: number, to: number, depth: number): Res {
    const t = s.toks[i]!;
    const text = this.text;
    switch (t.k) {
      case K.Str: {
        this.parseSubs(t, depth);
        return this.postfix(s, i + 1, to, depth, { start: t.s, end: t.e, kind: 'string', literal: t.lit as PsStringLiteral });
      }
      case K.Var:
        return this.postfix(s, i + 1, to, depth, { start: t.s, end: t.e, kind: 'variable', name: t.t });
      case K.Word:
        return this.postfix(s, i + 1, to, depth, isNumberLike(t.t) ? other(text, t.s, t.e) : { start: t.s, end: t.e, kind: 'bareword', text: t.t });
      case K.Type: {
        const n = s.toks[i + 1];
        if (n && i + 1 < to && n.k === K.Punct && n.t === '::' && !n.sp) return this.staticMember(s, i, to, depth);
        // Cast: `[string]$x`, `[int](…)`.
        if (
          n &&
          i + 1 < to &&
          !this.endsStatement(n) &&
          (n.k === K.Var || n.k === K.Str || n.k === K.Type || (n.k === K.Punct && (n.t === '(' || n.t === '$(' || n.t === '@(' || n.t === '@{')))
        ) {
          const r = this.parseUnary(s, i + 1, to, depth);
          return { value: other(text, t.s, r.value.end), next: r.next };
        }
        return this.postfix(s, i + 1, to, depth, other(text, t.s, t.e));
      }
      case K.Punct: {
        if (t.t === '(' || t.t === '$(') {
          const close = Math.min(this.closeOf(s, i), to);
          let value: Value;
          if (depth >= MAX_DEPTH) {
            this.work.push({ s, from: i + 1, to: close });
            value = other(text, t.s, s.toks[close]?.e ?? text.length);
          } else {
            value = this.groupValue(s, i + 1, close, depth + 1) ?? other(text, t.s, (close < to ? s.toks[close]?.e : undefined) ?? s.toks[close - 1]?.e ?? t.e);
          }
          return this.postfix(s, Math.min(close + 1, to), to, depth, value, t.s);
        }
        if (t.t === '@(' || t.t === '@{' || t.t === '{' || t.t === '[') {
          const close = Math.min(this.closeOf(s, i), to);
          if (t.t !== '[') {
            if (depth >= MAX_DEPTH) this.work.push({ s, from: i + 1, to: close });
            else this.parseBlock(s, i + 1, close, depth + 1);
          }
          const endTok = close < to ? s.toks[close] : s.toks[close - 1];
          return this.postfix(s, Math.min(close + 1, to), to, depth, other(text, t.s, endTok?.e ?? t.e));
        }
        return { value: other(text, t.s, t.e), next: i + 1 };
      }
      default:
        return { value: other(text, t.s, t.e), next: i + 1 };
    }
  }

  /**
   * Parses the statements of a `( … )` / `$( … )`; when it is a single
   * pipeline, returns its value (so `(Get-Content x -Raw)` is a read).
   */
  private groupValue(s: Stream, from: number, to: number, depth: number): Value | undefined {
    let i = this.skipNl(s, from, to);
    if (i >= to) return undefined;
    const t = s.toks[i]!;
    let value: Value | undefined;
    if (t.k === K.Word && (KEYWORDS_BLOCK.has(t.t.toLowerCase()) || KEYWORDS_FUNCTION.has(t.t.toLowerCase()) || KEYWORDS_VALUE.has(t.t.toLowerCase()))) {
      i = this.parseStatement(s, i, to, depth);
    } else {
      const r = this.parsePipeline(s, i, to, depth);
      value = r.value;
      i = r.next;
    }
    const rest = this.skipSeparators(s, i, to);
    if (rest < to) {
      this.parseBlock(s, rest, to, depth);
      return undefined;
    }
    return value;
  }

  private postfix(s: Stream, i: number, to: number, depth: number, base: Value, startOverride?: number): Res {
    const toks = s.toks;
    let j = i;
    let value = base;
    const start = startOverride ?? base.start;
    let changed = false;
    let end = startOverride !== undefined ? (toks[j - 1]?.e ?? base.end) : base.end;
    for (let guard = 0; j < to && guard < 100_000; guard++) {
      const t = toks[j]!;
      if (t.sp) break;
      if (t.k === K.Punct && (t.t === '.' || t.t === '::')) {
        let k = j + 1;
        const m = toks[k];
        if (!m || k >= to || m.sp) break;
        if (m.k === K.Word || m.k === K.Var || m.k === K.Str) k++;
        else break;
        end = m.e;
        const p = toks[k];
        if (p && k < to && !p.sp && p.k === K.Punct && p.t === '(') {
          const close = Math.min(this.closeOf(s, k), to);
          this.parseArgs(s, k + 1, close, depth);
          end = (close < to ? toks[close]?.e : toks[close - 1]?.e) ?? end;
          k = Math.min(close + 1, to);
        }
        j = k;
        changed = true;
        continue;
      }
      if (t.k === K.Punct && t.t === '[') {
        const close = Math.min(this.closeOf(s, j), to);
        this.parseBlock(s, j + 1, close, depth + 1 > MAX_DEPTH ? depth : depth + 1);
        end = (close < to ? toks[close]?.e : toks[close - 1]?.e) ?? end;
        j = Math.min(close + 1, to);
        changed = true;
        continue;
      }
      break;
    }
    if (changed) value = other(this.text, start, Math.max(end, start));
    return { value, next: j };
  }

  /** Comma-separated method arguments in [from, to). */
  private parseArgs(s: Stream, from: number, to: number, depth: number): Value[] {
    const args: Value[] = [];
    let i = this.skipNl(s, from, to);
    let guard = 0;
    while (i < to && guard++ < 1_000_000) {
      const t = s.toks[i]!;
      if (t.k === K.Punct && t.t === ',') {
        i = this.skipNl(s, i + 1, to);
        continue;
      }
      const r = depth >= MAX_DEPTH ? this.deferredExpression(s, i, to) : this.parseExpression(s, i, to, depth + 1, true);
      args.push(r.value);
      i = this.skipNl(s, Math.max(r.next, i + 1), to);
      if (i < to && !this.isPunct(s, i, ',')) {
        // Junk inside the argument list: parse it as statements so nothing nested is lost.
        let k = i;
        while (k < to && !this.isPunct(s, k, ',')) k++;
        this.parseBlock(s, i, k, depth + 1 > MAX_DEPTH ? depth : depth + 1);
        i = k;
      }
    }
    return args;
  }

  private deferredExpression(s: Stream, i: number, to: number): Res {
    let k = i;
    while (k < to && !this.isPunct(s, k, ',')) k++;
    this.work.push({ s, from: i, to: k });
    return { value: other(this.text, s.toks[i]!.s, s.toks[k - 1]!.e), next: k };
  }

  /** `[Type]::Member` / `[Type]::Method(args)` starting at the type token `i`. */
  private staticMember(s: Stream, i: number, to: number, depth: number): Res {
    const toks = s.toks;
    const typeTok = toks[i]!;
    const m = toks[i + 2];
    if (!m || i + 2 >= to || m.sp || m.k !== K.Word) return this.postfix(s, i + 2, to, depth, other(this.text, typeTok.s, toks[i + 1]!.e));
    const p = toks[i + 3];
    if (!p || i + 3 >= to || p.sp || p.k !== K.Punct || p.t !== '(') {
      return this.postfix(s, i + 3, to, depth, other(this.text, typeTok.s, m.e));
    }
    const close = Math.min(this.closeOf(s, i + 3), to);
    const args = this.parseArgs(s, i + 4, close, depth);
    const end = (close < to ? toks[close]?.e : toks[close - 1]?.e) ?? m.e;
    const call: PsMethodCall = { start: typeTok.s, end, typeName: typeTok.t, method: m.t, args };
    this.out.methodCalls.push(call);
    this.methodWrite(call);
    const method = m.t.toLowerCase();
    let value: Value;
    if (isFileType(typeTok.t) && (method === 'readalltext' || method === 'readalllines' || method === 'readallbytes')) {
      value = { start: typeTok.s, end, kind: 'read', path: args[0] };
    } else value = other(this.text, typeTok.s, end);
    return this.postfix(s, Math.min(close + 1, to), to, depth, value);
  }

  private parseSubs(t: Tok, depth: number): void {
    if (!t.subs) return;
    for (const sub of t.subs) {
      if (depth >= MAX_DEPTH) this.work.push({ s: sub, from: 0, to: sub.toks.length });
      else this.parseBlock(sub, 0, sub.toks.length, depth + 1);
    }
  }

  // ---------------------------------------------------------------- redirections and writes

  private redirections(s: Stream, i: number, to: number, depth: number, content: Value): number {
    let j = i;
    while (j < to && s.toks[j]!.k === K.Redir) {
      const op = s.toks[j]!;
      const r = this.redirectTarget(s, j, to, depth);
      this.redirectWrite(op, r.target, content, content.start);
      j = r.next;
    }
    return j;
  }

  private redirectTarget(s: Stream, j: number, to: number, depth: number): { target: Value | undefined; next: number } {
    const op = s.toks[j]!;
    if (op.t.includes('&')) return { target: undefined, next: j + 1 };
    const n = s.toks[j + 1];
    if (!n || j + 1 >= to || !this.isArgumentStart(n)) return { target: undefined, next: j + 1 };
    const r = this.parseArgument(s, j + 1, to, depth);
    return { target: r.value, next: r.next };
  }

  private redirectWrite(op: Tok, target: Value | undefined, content: Value | undefined, start: number): void {
    if (op.t.includes('&')) return;
    const stream = op.t.charCodeAt(0);
    if (stream !== 62 && stream !== 49) return; // only the success stream writes content
    if (target && target.kind === 'variable' && target.name.toLowerCase() === 'null') return;
    this.out.fileWrites.push({ start, end: target?.end ?? op.e, via: 'redirect', path: target, content, encoding: undefined, append: op.t.endsWith('>>') });
  }

  private commandValue(cmd: PsCommand): Value {
    const n = cmd.name.toLowerCase();
    if (n === 'get-content' || n === 'gc' || n === 'cat' || n === 'type') {
      return { start: cmd.start, end: cmd.end, kind: 'read', path: param(cmd, ['path', 'literalpath', 'lp', 'pspath']) ?? cmd.arguments[0] };
    }
    // `echo $cfg | Out-File …`: Write-Output (alias echo, write) sends its one argument down the pipeline.
    // Write-Host is not included: it writes to the host, nothing reaches the pipeline.
    if ((n === 'echo' || n === 'write-output' || n === 'write') && cmd.arguments.length + cmd.parameters.length === 1) {
      const v = echoContent(cmd);
      if (v) return v;
    }
    return other(this.text, cmd.start, cmd.end);
  }

  private commandWrite(cmd: PsCommand): void {
    const n = cmd.name.toLowerCase();
    const w = this.out.fileWrites;
    const base = { start: Math.min(cmd.start, cmd.pipelineInput?.start ?? cmd.start), end: cmd.end };
    const enc = (): PsFileWrite['encoding'] => encodingOf(this.text, param(cmd, ['encoding']));
    if (n === 'out-file') {
      const path = param(cmd, ['filepath', 'path', 'literalpath', 'lp', 'pspath']) ?? cmd.arguments[0];
      const content = param(cmd, ['inputobject']) ?? cmd.pipelineInput;
      w.push({ ...base, via: 'Out-File', path, content, encoding: enc(), append: hasParam(cmd, ['append']) });
      return;
    }
    if (n === 'set-content' || n === 'add-content' || n === 'ac' || n === 'sc') {
      const pathParam = param(cmd, ['path', 'literalpath', 'lp', 'pspath']);
      let pos = 0;
      const path = pathParam ?? cmd.arguments[pos++];
      const content = param(cmd, ['value']) ?? cmd.arguments[pos] ?? cmd.pipelineInput;
      const add = n === 'add-content' || n === 'ac';
      w.push({ ...base, via: add ? 'Add-Content' : 'Set-Content', path, content, encoding: enc(), append: add });
      return;
    }
    if (n === 'new-item' || n === 'ni') {
      const type = param(cmd, ['itemtype', 'type']);
      const typeText = type ? valueText(this.text, type).toLowerCase() : '';
      const value = param(cmd, ['value']) ?? cmd.pipelineInput;
      if (typeText && typeText !== 'file' && typeText !== 'f') return;
      if (!type && !value) return;
      let path = param(cmd, ['path', 'literalpath']) ?? cmd.arguments[0];
      const name = param(cmd, ['name']);
      if (name && path) {
        const a = valueText(this.text, path);
        const b = valueText(this.text, name);
        const sep = /[\\/]$/.test(a) ? '' : '\\';
        path = { start: Math.min(path.start, name.start), end: Math.max(path.end, name.end), kind: 'other', text: `${a}${sep}${b}` };
      } else if (name) path = name;
      w.push({ ...base, via: 'New-Item', path, content: value, encoding: enc(), append: false });
      return;
    }
    if (n === 'copy-item' || n === 'copy' || n === 'cp' || n === 'cpi') {
      let pos = 0;
      const src = param(cmd, ['path', 'literalpath']) ?? cmd.arguments[pos++];
      const dest = param(cmd, ['destination']) ?? cmd.arguments[pos];
      w.push({
        ...base,
        via: 'Copy-Item',
        path: dest,
        content: src ? { start: src.start, end: src.end, kind: 'read', path: src } : undefined,
        encoding: undefined,
        append: false,
      });
    }
  }

  private methodWrite(call: PsMethodCall): void {
    if (!isFileType(call.typeName)) return;
    const m = call.method.toLowerCase();
    let via: PsFileWrite['via'] | undefined;
    let append = false;
    if (m === 'writealltext') via = 'WriteAllText';
    else if (m === 'writealllines') via = 'WriteAllLines';
    else if (m === 'appendalltext' || m === 'appendalllines') {
      via = 'AppendAllText';
      append = true;
    }
    if (!via) return;
    const e = call.args[2];
    this.out.fileWrites.push({
      start: call.start,
      end: call.end,
      via,
      path: call.args[0],
      content: call.args[1],
      encoding: e ? { start: e.start, end: e.end, text: this.text.slice(e.start, e.end) } : undefined,
      append,
    });
  }

  // ---------------------------------------------------------------- helpers

  private isPunct(s: Stream, i: number, p: string): boolean {
    const t = s.toks[i];
    return t !== undefined && t.k === K.Punct && t.t === p;
  }

  private skipNl(s: Stream, i: number, to: number): number {
    while (i < to && s.toks[i]!.k === K.Nl) i++;
    return i;
  }

  private skipSeparators(s: Stream, i: number, to: number): number {
    while (i < to && (s.toks[i]!.k === K.Nl || this.isPunct(s, i, ';'))) i++;
    return i;
  }
}

function other(text: string, start: number, end: number): Value {
  return { start, end, kind: 'other', text: text.slice(start, end) };
}

function pipeable(v: Value | undefined): Value | undefined {
  if (!v) return undefined;
  return v.kind === 'string' || v.kind === 'variable' || v.kind === 'replace' || v.kind === 'read' ? v : undefined;
}

function isNumberLike(w: string): boolean {
  return /^[+-]?(0x[0-9a-f]+|\d[\d_]*(\.\d+)*(e[+-]?\d+)?)(kb|mb|gb|tb|pb|[ld])?$/i.test(w) || /^\d+\.\.\d+$/.test(w);
}

function isFileType(name: string): boolean {
  return /(^|\.)file$/i.test(name.trim());
}

/** Text of a value as written: string content (raw), bareword text, `$name`, raw text otherwise. */
export function valueText(text: string, v: Value): string {
  switch (v.kind) {
    case 'string':
      return text.slice(v.literal.contentStart, v.literal.contentEnd);
    case 'bareword':
    case 'other':
      return v.text;
    case 'variable':
      return text.slice(v.start, v.end);
    default:
      return text.slice(v.start, v.end);
  }
}

function param(cmd: PsCommand, names: readonly string[]): Value | undefined {
  for (const p of cmd.parameters) {
    const n = p.name.toLowerCase();
    if (names.includes(n)) return p.value;
  }
  // Unambiguous prefixes (`-Enc`, `-Dest`, `-FilePath` → `-File`).
  for (const p of cmd.parameters) {
    const n = p.name.toLowerCase();
    if (n.length >= 3 && names.some((x) => x.startsWith(n))) return p.value;
  }
  return undefined;
}

function hasParam(cmd: PsCommand, names: readonly string[]): boolean {
  return cmd.parameters.some(
    (p) => names.includes(p.name.toLowerCase()) && !(p.value && /^\$false$/i.test(p.value.kind === 'variable' ? `$${p.value.name}` : '')),
  );
}

function encodingOf(text: string, v: Value | undefined): PsFileWrite['encoding'] {
  if (!v) return undefined;
  if (v.kind === 'string') return { start: v.literal.contentStart, end: v.literal.contentEnd, text: text.slice(v.literal.contentStart, v.literal.contentEnd) };
  return { start: v.start, end: v.end, text: text.slice(v.start, v.end) };
}

function echoContent(cmd: PsCommand): Value | undefined {
  const n = cmd.name.toLowerCase();
  if (n === 'echo' || n === 'write-output' || n === 'write' || n === 'write-host')
    return cmd.parameters.find((p) => /^inputobject$/i.test(p.name))?.value ?? cmd.arguments[0];
  return undefined;
}
