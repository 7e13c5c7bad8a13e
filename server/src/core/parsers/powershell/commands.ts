/**
 * Commands: name, invocation operator, parameters (switches, `-Name:value`)
 * and positional arguments; each command is recorded and may be a file write.
 */
import type { PsParameter } from './types';
import { K, type Stream, type Tok } from './lexer';
import { isPunct, type MutCommand, other, type ParseState, type Res, skipNl, type Value, valueText } from './parseState';
import { endsStatement } from './parser';
import { parsePrimary, postfix } from './expressions';
import { commandValue, commandWrite, echoContent, redirectTarget, redirectWrite } from './writes';

const OPENERS = new Set(['(', '$(', '@(', '{', '@{', '[']);

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

export function parseCommand(st: ParseState, s: Stream, i: number, to: number, depth: number, input: Value | undefined): Res {
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
    if (j < to && !endsStatement(toks[j]!)) {
      nameTok = toks[j]!;
      const r = parseArgument(st, s, j, to, depth);
      nameStart = nameTok.s;
      nameEnd = r.value.end;
      name = valueText(st.text, r.value);
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
    if (endsStatement(t)) break;
    if (t.k === K.Redir) {
      const r = redirectTarget(st, s, j, to, depth);
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
        if (nt && next < to && !nt.sp && !endsStatement(nt)) {
          const r = parseArgument(st, s, next, to, depth);
          value = r.value;
          next = r.next;
        }
      } else if (nt && next < to && !SWITCHES.has(t.t.toLowerCase()) && isArgumentStart(nt)) {
        const r = parseArgument(st, s, next, to, depth);
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
    const r = parseArgument(st, s, j, to, depth);
    args.push(r.value);
    lastEnd = r.value.end;
    j = Math.max(r.next, j + 1);
  }
  const cmd: MutCommand = { start: first.s, end: lastEnd, name, nameStart, nameEnd, parameters, arguments: args, pipelineInput: input };
  if (invocation) cmd.invocationOperator = invocation;
  st.out.commands.push(cmd);
  commandWrite(st, cmd);
  const value = commandValue(st, cmd);
  for (const r of redirects) redirectWrite(st, r.op, r.target, echoContent(cmd) ?? value, cmd.start);
  return { value, next: j };
}

export function isArgumentStart(t: Tok): boolean {
  if (endsStatement(t)) return false;
  if (t.k === K.Param || t.k === K.Redir) return false;
  if (t.k === K.Punct && (t.t === ',' || t.t === '::' || t.t === '.')) return false;
  return true;
}

/** One command argument: adjacent tokens glued together, then a `,` list. */
export function parseArgument(st: ParseState, s: Stream, i: number, to: number, depth: number): Res {
  const toks = s.toks;
  const startTok = toks[i]!;
  let r = parseArgPrimary(st, s, i, to, depth);
  let glued = false;
  let j = r.next;
  while (j < to) {
    const t = toks[j]!;
    if (t.sp || endsStatement(t) || t.k === K.Redir || (t.k === K.Punct && t.t === ',')) break;
    glued = true;
    if (t.k === K.Op || t.k === K.Param || (t.k === K.Punct && !OPENERS.has(t.t))) {
      j++;
      continue;
    }
    const r2 = parseArgPrimary(st, s, j, to, depth);
    j = Math.max(r2.next, j + 1);
  }
  let value = r.value;
  let endTok = toks[j - 1]!;
  if (glued) value = other(st.text, startTok.s, endTok.e);
  // Array argument `a, b, c`.
  if (j < to && isPunct(s, j, ',')) {
    while (j < to && isPunct(s, j, ',')) {
      const k = skipNl(s, j + 1, to);
      if (k >= to || !isArgumentStart(toks[k]!)) {
        j = k;
        break;
      }
      r = parseArgument(st, s, k, to, depth);
      j = r.next;
    }
    endTok = toks[Math.min(j, to) - 1]!;
    value = other(st.text, startTok.s, endTok.e);
  }
  return { value, next: j };
}

export function parseArgPrimary(st: ParseState, s: Stream, i: number, to: number, depth: number): Res {
  const t = s.toks[i]!;
  if (t.k === K.Word) return postfix(st, s, i + 1, to, depth, { start: t.s, end: t.e, kind: 'bareword', text: t.t });
  return parsePrimary(st, s, i, to, depth);
}
