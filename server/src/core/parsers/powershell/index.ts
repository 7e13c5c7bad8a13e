/**
 * Tolerant PowerShell scanner: strings, commands, writes and assignments from
 * scripts that a full grammar would reject. See types.ts for the contract.
 */
import { K, Lexer, type Stream } from './lexer';
import { Parser } from './parser';
import { commonPrefixLength, countBefore, countBelow } from '../textPrefix';
export { commonPrefixLength, countBefore } from '../textPrefix';
import type { PsAssignment, PsCommand, PsFileWrite, PsFunction, PsMethodCall, PsNode, PsScanResult } from './types';

export { decodePsString, subexpressionVariable } from './decode';
export type * from './types';

export interface PsScanOptions {
  /** The file is a Terraform template (`templatefile`): `${…}` interpolations, `$${` escapes, `%{…}` directives. */
  readonly templated?: boolean;
}

export function scanPowerShell(text: string, options?: PsScanOptions): PsScanResult {
  const templated = options?.templated === true;
  try {
    return scan(text, templated);
  } catch {
    // Defensive: the scanner is written not to throw; never let a bug take a review down.
    return { strings: [], commands: [], methodCalls: [], assignments: [], fileWrites: [], comments: [], userDataWrapper: undefined };
  }
}

/**
 * The scan of `text` given the scan of an earlier version of the same file (the text before a keystroke). The
 * statements before the first changed character are kept as they were (the same objects: nothing to lex, parse or
 * allocate for them) and only the rest is scanned again, from the start of the top-level statement holding the
 * change. The prefix is kept only where the earlier scan shows it did not depend on anything after it (see
 * `restartsOf`); otherwise, and for templates and `<powershell>` user data, the whole text is scanned. The result
 * equals `scanPowerShell(text, options)`: a differential test checks this over thousands of random edits.
 */
export function rescanPowerShell(
  text: string,
  options: PsScanOptions | undefined,
  previous: { readonly text: string; readonly scan: PsScanResult },
): PsScanResult {
  const restarts = restartPoints.get(previous.scan);
  if (options?.templated === true || restarts === undefined || restarts.length === 0) return scanPowerShell(text, options);
  try {
    const from = restartBefore(restarts, commonPrefixLength(previous.text, text));
    if (from <= 0 || findUserDataWrapper(text) !== undefined) return scanPowerShell(text, options);
    return resume(text, previous.scan, restarts, from) ?? scanPowerShell(text, options);
  } catch {
    return scanPowerShell(text, options);
  }
}

/** Restart offsets of a scan (top-level statement starts whose prefix is self-contained), by scan. */
const restartPoints = new WeakMap<PsScanResult, readonly number[]>();

/**
 * For a scan `rescanPowerShell` built by resuming an earlier one: that earlier scan (`resumes`) and the offset the
 * rescan restarted at. Every node of the earlier scan that starts before `from` is kept (the same object, ending at or
 * before `from`), every node of the new scan that starts before `from` is such a kept node, and the two texts agree up
 * to `from`. The earlier scan is known by a serial number, not held: a chain of scans, each holding the one before,
 * would keep every scan of a long editing session alive.
 */
export interface PsResumed {
  readonly from: number;
  /** Whether the scan was resumed from `scan`. */
  resumes(scan: PsScanResult): boolean;
}

const resumedScans = new WeakMap<PsScanResult, { readonly previous: number; readonly from: number }>();
const scanSerials = new WeakMap<PsScanResult, number>();
let nextScanSerial = 1;

function scanSerial(scan: PsScanResult): number {
  let n = scanSerials.get(scan);
  if (n === undefined) scanSerials.set(scan, (n = nextScanSerial++));
  return n;
}

/** How `scan` was resumed from an earlier scan, or undefined for a whole scan. */
export function resumedFrom(scan: PsScanResult): PsResumed | undefined {
  const r = resumedScans.get(scan);
  if (r === undefined) return undefined;
  return { from: r.from, resumes: (earlier) => scanSerials.get(earlier) === r.previous };
}

/** Words that continue the statement before them (`} else {`, `} catch {`, `do { } while (…)`). */
const CONTINUATIONS = new Set(['else', 'elseif', 'catch', 'finally', 'while', 'until']);

function scan(text: string, templated: boolean): PsScanResult & { templateDirectives?: readonly PsNode[] } {
  const wrapper = findUserDataWrapper(text);
  const start = wrapper ? wrapper.start : 0;
  const limit = wrapper ? wrapper.end : text.length;
  const lexer = new Lexer(text, limit, templated);
  const main = lexer.lexStream(start);
  const out = emptyOut();
  const parser = new Parser(text, out);
  parser.run(main);
  const result: PsScanResult & { templateDirectives?: readonly PsNode[] } = {
    strings: lexer.strings.sort(byStart),
    commands: out.commands.sort(byStart),
    methodCalls: out.methodCalls.sort(byStart),
    assignments: out.assignments.sort(byStart),
    fileWrites: out.fileWrites.sort(byStart),
    comments: lexer.comments.sort(byStart),
    functions: out.functions.sort(byStart),
    userDataWrapper: wrapper,
  };
  if (templated) result.templateDirectives = lexer.directives.sort(byStart);
  else if (!wrapper) restartPoints.set(result, restartsOf(main, parser.topLevel, lexer.overProbe));
  return result;
}

function byStart(a: PsNode, b: PsNode): number {
  return a.start - b.start || a.end - b.end;
}

function emptyOut(): { commands: PsCommand[]; methodCalls: PsMethodCall[]; assignments: PsAssignment[]; fileWrites: PsFileWrite[]; functions: PsFunction[] } {
  return { commands: [], methodCalls: [], assignments: [], fileWrites: [], functions: [] };
}

/**
 * The offsets where a scan may restart: top-level statements that begin a line (after a newline token and
 * whitespace, so the lexer starts there as it would have), before which every bracket is closed (no later closer can
 * pair with an earlier opener) and no token looked past its own end (`overProbe`). The first statement of a stream
 * is never one (a stream that starts mid-file inherits the restart it began at).
 */
function restartsOf(main: Stream, tops: readonly number[], overProbe: number): number[] {
  const toks = main.toks;
  const out: number[] = [];
  let reach = -1; // the furthest closer index of the openers before the statement
  let t = 0;
  for (const j of tops) {
    for (; t < j; t++) {
      const m = main.match[t]!;
      if (m > reach) reach = m;
    }
    const tok = toks[j]!;
    if (tok.s >= overProbe) break;
    if (j === 0 || reach >= j) continue;
    if (toks[j - 1]!.k === K.Nl && tok.sp) out.push(tok.s);
  }
  return out;
}

function resume(text: string, prev: PsScanResult, restarts: readonly number[], from: number): PsScanResult | undefined {
  const lexer = new Lexer(text, text.length, false);
  const main = lexer.lexStream(from);
  const first = main.toks[0];
  if (first === undefined || first.s !== from || !first.sp) return undefined;
  if (first.k === K.Word && CONTINUATIONS.has(first.t.toLowerCase())) return undefined;
  const out = emptyOut();
  const parser = new Parser(text, out);
  parser.run(main);
  if (parser.topLevel[0] !== 0) return undefined;
  const join = <T extends PsNode>(before: readonly T[], after: T[]): T[] | undefined => {
    const n = countBefore(before, from);
    const list = before.slice(0, n);
    for (const x of list) if (x.end > from) return undefined; // a kept node reaching into the change
    for (const x of after.sort(byStart)) list.push(x);
    return list;
  };
  const strings = join(prev.strings, lexer.strings);
  const commands = join(prev.commands, out.commands);
  const methodCalls = join(prev.methodCalls, out.methodCalls);
  const assignments = join(prev.assignments, out.assignments);
  const fileWrites = join(prev.fileWrites, out.fileWrites);
  const comments = join(prev.comments, lexer.comments);
  const functions = join(prev.functions ?? [], out.functions);
  if (!strings || !commands || !methodCalls || !assignments || !fileWrites || !comments || !functions) return undefined;
  const result: PsScanResult = { strings, commands, methodCalls, assignments, fileWrites, comments, functions, userDataWrapper: undefined };
  const kept = restarts.slice(0, countBelow(restarts, from + 1));
  restartPoints.set(result, [...kept, ...restartsOf(main, parser.topLevel, lexer.overProbe)]);
  resumedScans.set(result, { previous: scanSerial(prev), from });
  return result;
}

/** The last restart offset at or before `offset` (0 when there is none). */
function restartBefore(restarts: readonly number[], offset: number): number {
  const n = countBelow(restarts, offset + 1);
  return n === 0 ? 0 : restarts[n - 1]!;
}

/** `<powershell>…</powershell>` when the tag opens the file (after whitespace / a BOM). */
function findUserDataWrapper(text: string): PsNode | undefined {
  let i = 0;
  while (i < text.length && /[\s\ufeff]/.test(text[i]!)) i++;
  const open = '<powershell>';
  if (text.slice(i, i + open.length).toLowerCase() !== open) return undefined;
  const start = i + open.length;
  const close = indexOfCaseInsensitive(text, '</powershell>', start);
  return { start, end: close < 0 ? text.length : close };
}

function indexOfCaseInsensitive(text: string, needle: string, from: number): number {
  const a = text.indexOf(needle, from);
  if (a >= 0) return a;
  const b = text.indexOf(needle.toUpperCase(), from);
  if (b >= 0) return b;
  const m = /<\/powershell>/i.exec(text.slice(from));
  return m ? from + m.index : -1;
}
