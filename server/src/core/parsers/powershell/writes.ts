/**
 * File writes normalised from redirections (`>`, `>>`), cmdlets
 * (Set-Content, Out-File, New-Item, Copy-Item, echo/Write-Output) and
 * [IO.File] method calls.
 */
import type { PsCommand, PsFileWrite, PsMethodCall } from './types';
import { K, type Stream, type Tok } from './lexer';
import { other, type ParseState, type Value, valueText } from './parseState';
import { isArgumentStart, parseArgument } from './commands';

export function redirections(st: ParseState, s: Stream, i: number, to: number, depth: number, content: Value): number {
  let j = i;
  while (j < to && s.toks[j]!.k === K.Redir) {
    const op = s.toks[j]!;
    const r = redirectTarget(st, s, j, to, depth);
    redirectWrite(st, op, r.target, content, content.start);
    j = r.next;
  }
  return j;
}

export function redirectTarget(st: ParseState, s: Stream, j: number, to: number, depth: number): { target: Value | undefined; next: number } {
  const op = s.toks[j]!;
  if (op.t.includes('&')) return { target: undefined, next: j + 1 };
  const n = s.toks[j + 1];
  if (!n || j + 1 >= to || !isArgumentStart(n)) return { target: undefined, next: j + 1 };
  const r = parseArgument(st, s, j + 1, to, depth);
  return { target: r.value, next: r.next };
}

export function redirectWrite(st: ParseState, op: Tok, target: Value | undefined, content: Value | undefined, start: number): void {
  if (op.t.includes('&')) return;
  const stream = op.t.charCodeAt(0);
  if (stream !== 62 && stream !== 49) return; // only the success stream writes content
  if (target && target.kind === 'variable' && target.name.toLowerCase() === 'null') return;
  st.out.fileWrites.push({ start, end: target?.end ?? op.e, via: 'redirect', path: target, content, encoding: undefined, append: op.t.endsWith('>>') });
}

export function commandValue(st: ParseState, cmd: PsCommand): Value {
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
  return other(st.text, cmd.start, cmd.end);
}

export function commandWrite(st: ParseState, cmd: PsCommand): void {
  const n = cmd.name.toLowerCase();
  const w = st.out.fileWrites;
  const base = { start: Math.min(cmd.start, cmd.pipelineInput?.start ?? cmd.start), end: cmd.end };
  const enc = (): PsFileWrite['encoding'] => encodingOf(st.text, param(cmd, ['encoding']));
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
    const typeText = type ? valueText(st.text, type).toLowerCase() : '';
    const value = param(cmd, ['value']) ?? cmd.pipelineInput;
    if (typeText && typeText !== 'file' && typeText !== 'f') return;
    if (!type && !value) return;
    let path = param(cmd, ['path', 'literalpath']) ?? cmd.arguments[0];
    const name = param(cmd, ['name']);
    if (name && path) {
      const a = valueText(st.text, path);
      const b = valueText(st.text, name);
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

export function methodWrite(st: ParseState, call: PsMethodCall): void {
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
  st.out.fileWrites.push({
    start: call.start,
    end: call.end,
    via,
    path: call.args[0],
    content: call.args[1],
    encoding: e ? { start: e.start, end: e.end, text: st.text.slice(e.start, e.end) } : undefined,
    append,
  });
}

export function isFileType(name: string): boolean {
  return /(^|\.)file$/i.test(name.trim());
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

export function echoContent(cmd: PsCommand): Value | undefined {
  const n = cmd.name.toLowerCase();
  if (n === 'echo' || n === 'write-output' || n === 'write' || n === 'write-host')
    return cmd.parameters.find((p) => /^inputobject$/i.test(p.name))?.value ?? cmd.arguments[0];
  return undefined;
}
