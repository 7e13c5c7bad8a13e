/**
 * Tolerant PowerShell scanner: strings, commands, writes and assignments from
 * scripts that a full grammar would reject. See types.ts for the contract.
 */
import { Lexer } from './lexer';
import { Parser } from './parser';
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

function scan(text: string, templated: boolean): PsScanResult & { templateDirectives?: readonly PsNode[] } {
  const wrapper = findUserDataWrapper(text);
  const start = wrapper ? wrapper.start : 0;
  const limit = wrapper ? wrapper.end : text.length;
  const lexer = new Lexer(text, limit, templated);
  const main = lexer.lexStream(start);
  const out = {
    commands: [] as PsCommand[],
    methodCalls: [] as PsMethodCall[],
    assignments: [] as PsAssignment[],
    fileWrites: [] as PsFileWrite[],
    functions: [] as PsFunction[],
  };
  new Parser(text, out).run(main);
  const byStart = (a: PsNode, b: PsNode): number => a.start - b.start || a.end - b.end;
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
  return result;
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
