/**
 * Scripts given to a shell as a string: `sudo sh -c 'echo … > /etc/consul.d/gossip.hcl'`, `sudo -E bash -c "cat > f"
 * <<EOF`, `su - nomad -c '…'`. The string is decoded as the outer shell passes it (quotes removed, `$VAR` in double
 * quotes expanded by the outer shell first) into a virtual document mapped to the host file, so the nested script is
 * analysed with the same machinery and its findings land on the outer file's characters.
 *
 * Only the shapes below are followed; anything else (an unknown option of the shell, of sudo or of su, an unquoted
 * expansion in the string, options after `-c`) is left unknown, never guessed:
 * - `sh|bash|dash [-e|-x|-u|-v…] [-o pipefail|errexit|nounset|xtrace] -c STRING [name args…]`, also `-ec`, `-xc`;
 * - behind `sudo [-E|-H|-n|-S|-k|-A|-u user|-g group] [--]`, `env X=y` (no options), `X=y`, `nohup`, `exec`, `time`;
 * - `su [-|-l|--login] [user] -c STRING`.
 *
 * What the inner shell sees of the outer script's variables (checked with dash and bash, see
 * test/unit/bash/nestedShell.test.ts): only exported ones and the `X=y` / `env X=y` prefixes of the command; an
 * unexported variable is unset in it. `sudo` without `-E` resets the environment (sudoers `env_reset`, the default),
 * and `su` is taken to reset it too (`su -` does; plain `su` keeps most of it, which is not assumed): those
 * variables are then unknown.
 */
import type { ShAssignment, ShCommand, ShExpansion, ShScanResult, ShWord } from '../parsers/bash/types';
import type { ShExpander } from '../parsers/bash';
import { decodeShWord, scanBash } from '../parsers/bash';
import type { MappedText } from '../text/mappedText';
import type { Span } from '../types';
import type { ScriptArgument } from './scriptModel';
import { valueOfMapped } from './scriptModel';

/** `sh -c` inside `sh -c` is followed this many levels deep. */
export const MAX_NESTED_DEPTH = 4;
/** A nested script longer than this (UTF-16 units) is not followed. */
const MAX_NESTED_LENGTH = 256 * 1024;

const SHELL_NAME = /^(?:\/(?:usr\/)?(?:local\/)?bin\/)?(sh|bash|dash)$/;
const SHELL_FLAGS = /^-[euxv]+$/;
const SHELL_FLAGS_WITH_C = /^-[euxv]*c[euxv]*$/;
const SET_O = new Set(['pipefail', 'errexit', 'nounset', 'xtrace', 'verbose']);
/** sudo options that change neither what runs nor how: `-E` keeps the environment (checked separately). */
const SUDO_FLAGS = /^-[EHnSkA]+$/;
const SUDO_FLAGS_WITH_ARG = /^-[EHnSkA]*[ug]$/;

/** A script given as a string to a shell, decoded and scanned. */
export interface NestedShell {
  readonly command: ShCommand;
  /** The `-c` argument. */
  readonly script: ShWord;
  /** The nested script as the inner shell reads it, mapped to the host file. */
  readonly text: MappedText;
  readonly scan: ShScanResult;
  /** How it is run, for messages: `sudo sh -c`, `su -c`. */
  readonly via: string;
  /** `$1…` of the nested script: the words after `$0`. */
  readonly positional: readonly ScriptArgument[];
  /** The outer variables the inner shell sees. */
  readonly environment: NestedEnvironment;
  /** The quoted parts of the string in the host file: an edit there must be quoted for the outer shell too. */
  readonly quoting: readonly ShellStringRegion[];
}

/**
 * A part of a `-c` string in the host file and how the outer shell quotes it (`nested`: a string inside a nested
 * script, under several layers of quoting).
 */
export interface ShellStringRegion extends Span {
  readonly mode: 'single' | 'double' | 'unquoted' | 'nested';
}

export interface NestedEnvironment {
  /** The outer script's exported variables reach the inner shell (no `sudo` without `-E`, no `su`). */
  readonly inheritsExports: boolean;
  /** `X=y sh -c` / `env X=y sh -c` that reach the inner shell. */
  readonly assignments: readonly ShAssignment[];
  /** Why an outer variable is not visible, for the unknown reason. */
  readonly dropReason?: string;
}

/** What the outer script offers to decode a nested one. */
export interface OuterShell {
  /** The outer shell's expansion of `$X` / `$(…)` inside the double-quoted parts of the string. */
  expand: ShExpander;
  toHost: MappedText['toHost'];
}

/**
 * The nested script of `c` when `c` runs one of the shapes in the file comment; undefined otherwise (including a
 * string with an unquoted expansion, which the outer shell would split into words).
 */
export function nestedShellOf(text: MappedText, c: ShCommand, outer: OuterShell): NestedShell | undefined {
  const name = SHELL_NAME.exec(c.name)?.[1];
  if (!name && c.name !== 'su') return undefined;
  const prefix = prefixEnvironment(text, c);
  if (!prefix) return undefined;
  const call = name ? shellCall(c.args) : suCall(c.args);
  const runs = call && quoteRuns(text.text, call.script);
  if (!call || !runs) return undefined;
  // A `${…}` of a rendered template inside single quotes (`$${R}` rendered to `${R}`, or a value the render left
  // unknown) is text the outer shell passes as is: the inner shell expands it (the unknown keeps its reason).
  const single = runs.filter((q) => q.mode === 'single');
  const expand: ShExpander = (e) => (e.template && single.some((q) => q.start <= e.start && e.start < q.end) ? undefined : outer.expand(e));
  const inner = decodeShWord(text, call.script, expand);
  if (inner.text.length > MAX_NESTED_LENGTH) return undefined;
  const environment: NestedEnvironment = name ? prefix : { inheritsExports: false, assignments: [], dropReason: 'su starts the shell with a new environment' };
  return {
    command: c,
    script: call.script,
    text: inner,
    scan: scanBash(inner.text),
    via: `${c.sudo ? 'sudo ' : ''}${name ?? 'su'} -c`,
    // `sh -c STRING name a b`: `name` is $0, `a` is $1.
    positional: call.rest.slice(1).map((w) => ({ value: valueOfMapped(decodeShWord(text, w, outer.expand)), span: outer.toHost(w.start, w.end) })),
    environment,
    quoting: runs.map((q) => ({ ...outer.toHost(q.start, q.end), mode: q.mode })),
  };
}

function shellCall(args: readonly ShWord[]): { script: ShWord; rest: readonly ShWord[] } | undefined {
  for (let i = 0; i < args.length; i++) {
    const o = plain(args[i]!);
    if (o === undefined) return undefined;
    if (SHELL_FLAGS_WITH_C.test(o)) {
      const script = args[i + 1];
      return script ? { script, rest: args.slice(i + 2) } : undefined;
    }
    if (SHELL_FLAGS.test(o)) continue;
    if ((o === '-o' || o === '+o') && SET_O.has(plain(args[i + 1]!) ?? '')) {
      i++;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** `su [-|-l|--login] [user] -c STRING [user]`: one user at most, nothing else. */
function suCall(args: readonly ShWord[]): { script: ShWord; rest: readonly ShWord[] } | undefined {
  let script: ShWord | undefined;
  let users = 0;
  for (let i = 0; i < args.length; i++) {
    const o = plain(args[i]!);
    if (o === undefined) return undefined;
    if (o === '-c' || o === '--command') {
      if (script) return undefined;
      script = args[++i];
      if (!script) return undefined;
    } else if (o === '-' || o === '-l' || o === '--login') continue;
    else if (o.startsWith('-') || ++users > 1) return undefined;
  }
  return script ? { script, rest: [] } : undefined;
}

/** A word written without quotes or expansions (an option, a user name). */
function plain(w: ShWord): string | undefined {
  return w.literal !== undefined && w.quoted !== true ? w.literal : undefined;
}

/**
 * The environment the inner shell gets from the command's prefix (`sudo -E`, `env X=y`, `X=y`, `nohup`); undefined
 * for a prefix word that is not one of those (`sudo -i`, `env -i`).
 */
function prefixEnvironment(text: MappedText, c: ShCommand): NestedEnvironment | undefined {
  const t = text.text;
  const assignments = c.envAssignments ?? [];
  let inherits = true;
  let dropAt = -1;
  let inSudo = false;
  let ai = 0;
  const word = /\S+/g;
  word.lastIndex = c.start;
  for (let m = word.exec(t); m && m.index < c.nameStart; m = word.exec(t)) {
    // An assignment word (its value may hold spaces and quotes): skipped whole.
    while (ai < assignments.length && assignments[ai]!.end <= m.index) ai++;
    const a = assignments[ai];
    if (a && a.start <= m.index) {
      word.lastIndex = a.end;
      continue;
    }
    const w = m[0];
    if (w === 'sudo') {
      inSudo = true;
      if (!/(^|\s)(-[EHnSkAug]*E[EHnSkAug]*|--preserve-env)(\s|$)/.test(t.slice(m.index, c.nameStart))) {
        inherits = false;
        dropAt = m.index;
      }
    } else if (w === 'env' || w === 'nohup' || w === 'exec' || w === 'time') {
      // `env` with an option (`env -i`, `env -u X`) falls to the last branch: not followed.
      inSudo = false;
    } else if (inSudo && (SUDO_FLAGS.test(w) || w === '--preserve-env' || w === '--')) continue;
    else if (inSudo && SUDO_FLAGS_WITH_ARG.test(w)) word.exec(t);
    else if (inSudo && /^--(user|group)=\S+$/.test(w)) continue;
    else return undefined;
  }
  return {
    inheritsExports: inherits,
    assignments: assignments.filter((a) => a.start > dropAt),
    ...(inherits ? {} : { dropReason: 'sudo without -E resets the environment' }),
  };
}

/**
 * The word's runs by quoting (virtual offsets, quotes included), or undefined when an expansion is not inside double
 * quotes (the outer shell would split its value into words).
 */
function quoteRuns(t: string, w: ShWord): Array<{ start: number; end: number; mode: ShellStringRegion['mode'] }> | undefined {
  const exps = w.expansions.filter((e: ShExpansion) => !e.template);
  const runs: Array<{ start: number; end: number; mode: ShellStringRegion['mode'] }> = [];
  let ei = 0;
  let mode: '' | "'" | '"' = '';
  let runStart = w.start;
  const close = (end: number, m: ShellStringRegion['mode']) => {
    if (end > runStart) runs.push({ start: runStart, end, mode: m });
    runStart = end;
  };
  for (let i = w.start; i < w.end; i++) {
    while (ei < exps.length && exps[ei]!.start < i) ei++;
    if (exps[ei]?.start === i) {
      if (mode !== '"') return undefined;
      i = exps[ei]!.end - 1;
      continue;
    }
    const ch = t[i];
    if (ch === '\\' && mode !== "'") i++;
    else if (mode === '' && (ch === "'" || ch === '"')) {
      close(i, 'unquoted');
      mode = ch;
    } else if (ch === mode) {
      close(i + 1, mode === "'" ? 'single' : 'double');
      mode = '';
    }
  }
  close(w.end, mode === "'" ? 'single' : mode === '"' ? 'double' : 'unquoted');
  return runs;
}

/**
 * A nested script that only copies its standard input to a file (`cat > f`, `cat >> f`, `tee [-a] f`): what feeds the
 * outer command (`sudo bash -c "cat > f" <<EOF`, `echo "$C" | sudo sh -c 'cat > f'`) is that file's text.
 */
export function stdinWriteOf(n: NestedShell): { target: ShWord; append: boolean; name: string } | undefined {
  const s = n.scan;
  if (s.commands.length !== 1 || s.heredocs.length > 0) return undefined;
  const c = s.commands[0]!;
  if (c.name === 'cat') {
    if (c.args.length > 1 || (c.args.length === 1 && plain(c.args[0]!) !== '-')) return undefined;
    const out = c.redirects[0];
    if (c.redirects.length !== 1 || !out || (out.op !== '>' && out.op !== '>>' && out.op !== '>|')) return undefined;
    return { target: out.target, append: out.op === '>>', name: 'cat' };
  }
  if (c.name !== 'tee') return undefined;
  const options = c.args.filter((a) => a.raw.startsWith('-'));
  const files = c.args.filter((a) => !a.raw.startsWith('-'));
  if (options.some((o) => !/^(-a|--append)$/.test(plain(o) ?? '')) || files.length !== 1) return undefined;
  // `tee f > /dev/null` only hides what tee echoes.
  if (c.redirects.some((r) => r.op !== '>' || plain(r.target) !== '/dev/null')) return undefined;
  return { target: files[0]!, append: options.length > 0, name: 'tee' };
}
