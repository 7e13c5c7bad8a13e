/**
 * Service definitions of the tree, normalised: Windows services created by
 * `New-Service`, `sc.exe create`, `nssm install` (with later `sc.exe config
 * … depend=` / `-DependsOn`, and their command line as later `nssm set …
 * AppParameters` / `sc.exe config … binPath=` leave it), and systemd units
 * (`.service` files of the tree and heredocs written to `/etc/systemd/system/*.service`), and Docker Compose services
 * whose command line runs an agent (see composeServiceDefs).
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { PsScriptFacts } from '../../scripts/scriptModel';
import type { PsCommand } from '../../parsers/powershell/types';
import type { Product, Span } from '../../types';
import { parseSystemdUnit, parseExecStartFlags } from '../../parsers/bash';
import { normPath, psValueText } from './shared';
import { uploadDestinations } from '../../packer';
import type { AgentConfigDoc } from '../../agent/configDoc';
import type { AgentLaunch, LoadContext } from '../../agent/loadOrder';
import { launchSettings } from '../../agent/launchFlags';
import type { LaunchFlagInput } from '../../agent/launchFlags';
import { innermostFunction } from '../../scripts/powershellModel';
import { interpolateCompose } from '../../parsers/compose';
import type { ComposeService, ComposeWord } from '../../parsers/compose';
import type { ComposeFileFacts } from '../../model/deploymentModel';
import { baseName, dirOf } from '../../workspace/fileKinds';
import type { PsFunction, PsValue } from '../../parsers/powershell/types';

/** A flag of a service's launch line (one type with what agent/launchFlags.ts reads). */
export type ServiceFlag = LaunchFlagInput;

export interface ServiceDef {
  readonly os: 'windows' | 'linux';
  readonly product: Product;
  readonly name: string;
  readonly file: string;
  /** The command / unit that defines the service. */
  readonly span: Span;
  readonly flags: readonly ServiceFlag[];
  /** Service names this one depends on / is ordered after (lower-case, `.service` stripped). */
  readonly dependsOn: readonly string[];
  readonly via: string;
  /**
   * Why the command line the service runs is not known (a later `nssm set … AppParameters $x` whose value does not
   * resolve, a reconfiguration inside a function or branch that cannot be placed after the creation, one in another
   * script, `Set-Service -BinaryPathName`, a registry `ImagePath` edit); `flags` is then empty and means nothing.
   */
  readonly flagsUnknown?: string;
  /** The later command that gave the service its final arguments (`nssm set nomad AppParameters …`), when there is one. */
  readonly argsSpan?: Span;
  /**
   * Every flag of its command line in order, the boolean ones (`-client`) included: what agent/launchFlags.ts turns into
   * settings. `flags` keeps only the config, data-dir, region and datacenter flags the service checks read.
   */
  readonly launchFlags?: readonly ServiceFlag[];
}

/** The flags `ServiceDef.flags` keeps (with a value). */
const SERVICE_FLAG = /^(config-dir|config-file|config|data-dir|region|dc|datacenter)$/;

/**
 * The agent a service runs, from its executable or name: `nomad`, `C:\nomad\nomad.exe`, `/usr/bin/consul`.
 * Other HashiCorp tools whose names only start with the product (`consul-terraform-sync`, `consul-template`,
 * `nomad-autoscaler`, `envconsul`) are not the agent.
 */
function productOf(text: string): Product | undefined {
  const m = /(?:^|[^\w])(nomad|consul|vault)(?:\.exe)?(?![\w-])/i.exec(text);
  return m ? (m[1]!.toLowerCase() as Product) : undefined;
}

/** `-config=C:\x`, `-config C:\x`, `-config-dir=…`, `-data-dir`, `-region`, `-dc`, `-datacenter` inside a command line. */
function flagsIn(cmdline: string, toHost: (s: number, e: number) => Span): ServiceFlag[] {
  const out: Array<{ at: number; flag: ServiceFlag }> = [];
  const re = /(?:^|\s)--?(config-dir|config-file|config|data-dir|region|dc|datacenter)(=|\s+)("[^"]*"|'[^']*'|[^\s"']+)/g;
  for (const m of cmdline.matchAll(re)) {
    const at = (m.index ?? 0) + m[0].search(/-/);
    out.push({ at, flag: { name: m[1]!, value: m[3]!.replace(/^["']|["']$/g, ''), span: toHost(at, (m.index ?? 0) + m[0].length), eq: m[2] === '=' } });
  }
  // Every other flag, for the settings a launch line gives (agent/launchFlags.ts): `-name=value`, `-name value` (a
  // value does not start with `-`), or `-name` alone. Quoted values keep their blanks (`-retry-join "provider=aws …"`).
  const other = /(?:^|\s)--?([A-Za-z][\w-]*)(?:(=)("[^"]*"|'[^']*'|[^\s"']*)|\s+("[^"]*"|'[^']*'|[^\s"'-][^\s"']*))?(?=\s|$)/g;
  for (const m of cmdline.matchAll(other)) {
    if (SERVICE_FLAG.test(m[1]!)) continue;
    const at = (m.index ?? 0) + m[0].search(/-/);
    const raw = m[3] ?? m[4];
    const span = toHost(at, (m.index ?? 0) + m[0].length);
    out.push({
      at,
      flag: raw === undefined ? { name: m[1]!, value: '', span, bare: true } : { name: m[1]!, value: raw.replace(/^["']|["']$/g, ''), span, eq: m[2] === '=' },
    });
  }
  return out.sort((a, b) => a.at - b.at).map((x) => x.flag);
}

/** `$Name`, `${Name}`, `$env:Name` in a flag value, substituted with the script's values as seen at `offset`. */
function resolveFlags(s: PsScriptFacts, flags: ServiceFlag[], offset: number): ServiceFlag[] {
  return flags.map((f) => {
    if (!f.value.includes('$')) return { ...f, resolved: f.value };
    let unknown = false;
    const text = f.value.replace(/\$\{([^}]+)\}|\$((?:env:)?[A-Za-z_]\w*)/g, (m, braced: string | undefined, plain: string | undefined) => {
      const v = s.resolveVariable(braced ?? plain ?? '', offset);
      if (v.kind === 'known') return v.text;
      unknown = true;
      return m;
    });
    return unknown || text.includes('$') ? f : { ...f, resolved: text };
  });
}

/**
 * A later command that replaces a Windows service's arguments:
 * - `nssm set <servicename> AppParameters <value>`: nssm's documented syntax is `nssm set <servicename> <parameter>
 *   <value>` (nssm README.txt, "Managing services from the command line", git.nssm.cc/nssm/nssm; nssm.cc/usage), and
 *   the arguments after the parameter name are its value (read here as one command line, joined with spaces, the way
 *   `nssm install <servicename> <program> [<arguments>]` takes them); `nssm reset <servicename> AppParameters` clears it.
 *   `Application`, `AppDirectory`, `AppEnvironmentExtra` do not change the arguments and are not read.
 * - `sc.exe config <servicename> binPath= <BinaryPathName>`: replaces the whole command line (learn.microsoft.com
 *   windows-server/administration/windows-commands/sc-config: `sc.exe [<servername>] config [<servicename>] …
 *   [binpath= <binarypathname>]`; the option name includes the `=` and a space separates it from the value).
 * - `Set-Service -BinaryPathName`, `Set-ItemProperty …\Services\<name> -Name ImagePath`: not reproduced, unknown.
 */
interface Reconfig {
  readonly key: string;
  readonly start: number;
  readonly span: Span;
  readonly via: string;
  /** The new flags (resolved), or why they are not known. */
  readonly flags: ServiceFlag[] | { unknown: string };
}

/** A service name as the script gives it, lower-case, a `$Var` resolved when it can be; undefined when it cannot. */
function serviceKey(s: PsScriptFacts, v: PsValue | undefined, at: number): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'variable') {
    const r = s.resolveVariable(v.name, at);
    return r.kind === 'known' && !r.text.includes('$') ? r.text.trim().toLowerCase() : undefined;
  }
  const t = psValueText(s.text.text, v).trim().toLowerCase();
  return t.includes('$') ? undefined : t;
}

/**
 * The flags of a command line given as the arguments of a native command from `from` on (`nssm install <svc> <exe>
 * …`, `nssm set <svc> AppParameters …`), joined with spaces as the program receives them. PowerShell's scan takes
 * `-config C:\x` as a parameter with a value; for a native command both are plain arguments, so parameters after
 * `from` count as words too. A `$Var` argument is resolved (its flags are shown at the argument that passes it);
 * one that does not resolve makes the flags unknown, or, when `lenient`, stays as written (`$Var`).
 */
function argFlags(s: PsScriptFacts, c: PsCommand, from: number, at: number, lenient = false): ServiceFlag[] | { unknown: string } {
  const src = s.text.text;
  const after = from > 0 ? (c.arguments[from - 1]?.end ?? c.end) : c.nameEnd;
  const words: Array<{ v: PsValue } | { param: string; start: number }> = [
    ...c.arguments.slice(from).map((v) => ({ v })),
    ...c.parameters.filter((p) => p.start >= after).flatMap((p) => [{ param: p.name, start: p.start }, ...(p.value ? [{ v: p.value }] : [])]),
  ];
  const startOf = (w: (typeof words)[number]) => ('v' in w ? w.v.start : w.start);
  words.sort((a, b) => startOf(a) - startOf(b));
  // The joined text, and for each word where it starts in that text and how its characters map to the host.
  let text = '';
  const pieces: Array<{ at: number; len: number; host: (x: number) => number; whole?: Span }> = [];
  for (const w of words) {
    if (text) text += ' ';
    let t: string;
    let host: (x: number) => number;
    let whole: Span | undefined;
    if (!('v' in w)) {
      t = `-${w.param}`;
      host = (x) => w.start + x;
    } else if (w.v.kind === 'string' || w.v.kind === 'bareword') {
      const base = w.v.kind === 'string' ? w.v.literal.contentStart : w.v.start;
      t = psValueText(src, w.v);
      // An argument with a space reaches the program quoted (`-config "C:\my dir"`): one value. A string that holds
      // flags itself (`"agent -config=C:\x"`) is a command line and is read as one.
      if (w.v.kind === 'string' && /\s/.test(t) && !/(^|\s)-/.test(t) && !w.v.literal.hereString) {
        t = `"${t}"`;
        host = (x) => base - 1 + x;
      } else host = (x) => base + x;
    } else if (w.v.kind === 'variable') {
      const r = s.resolveVariable(w.v.name, at);
      const v = w.v;
      if (r.kind === 'known' && !r.text.includes('$')) {
        t = r.text;
        whole = s.text.toHost(v.start, v.end);
      } else if (lenient) t = `$${v.name}`;
      else return { unknown: `$${v.name} has no static value${r.kind === 'unknown' ? ` (${r.reason})` : ''}` };
      host = (x) => v.start + Math.min(x, v.end - v.start);
    } else if (lenient) {
      const v = w.v;
      t = src.slice(v.start, v.end);
      host = (x) => v.start + x;
    } else return { unknown: `${src.slice(w.v.start, w.v.end)} is not a static value` };
    pieces.push({ at: text.length, len: t.length, host, ...(whole ? { whole } : {}) });
    text += t;
  }
  const pieceAt = (x: number) => {
    let i = pieces.length - 1;
    while (i > 0 && pieces[i]!.at > x) i--;
    return pieces[i]!;
  };
  const flags = flagsIn(text, (a, b) => {
    const p = pieceAt(a);
    if (p.whole) return p.whole;
    const q = pieceAt(Math.max(a, b - 1));
    return s.text.toHost(p.host(a - p.at), q.whole ? q.whole.end : q.host(b - q.at));
  });
  return resolveFlags(s, flags, at);
}

const isNssm = (n: string) => /^nssm(\.exe)?$/.test(n);

/**
 * The program a command runs, as its lower-case file name: `nssm`, `& "C:\tools\nssm.exe"` and `& $nssm` (the
 * variable resolved) are all `nssm(.exe)`; a cmdlet keeps its name. A variable that does not resolve stays `$name`.
 */
function programName(s: PsScriptFacts, c: PsCommand): string {
  // A written name is a pure function of its text, asked for every command of a script by several passes: kept per
  // name (bounded). A `$variable` name is resolved at its command every time.
  if (c.name.startsWith('$')) return programNameOf(s, c);
  let n = programNames.get(c.name);
  if (n === undefined) {
    n = programNameOf(s, c);
    if (programNames.size >= 4096) programNames.clear();
    programNames.set(c.name, n);
  }
  return n;
}

const programNames = new Map<string, string>();

function programNameOf(s: PsScriptFacts, c: PsCommand): string {
  let n = c.name;
  if (n.startsWith('$')) {
    const v = s.resolveVariable(n.slice(1).replace(/^\{|\}$/g, ''), c.start);
    if (v.kind !== 'known') return n.toLowerCase();
    n = v.text.trim();
  }
  n = n.replace(/^["']|["']$/g, '');
  return n.slice(Math.max(n.lastIndexOf('\\'), n.lastIndexOf('/')) + 1).toLowerCase();
}

const isSc = (n: string) => n === 'sc.exe' || n === 'sc';

/** The `binPath=` argument of `sc.exe create|config`: `binPath= "…"` or `binPath="…"`. */
function binPathArg(src: string, c: PsCommand): PsValue | undefined {
  const idx = c.arguments.findIndex((a) => /^binpath=/i.test(psValueText(src, a)));
  return idx >= 0 ? (psValueText(src, c.arguments[idx]).length > 8 ? c.arguments[idx] : c.arguments[idx + 1]) : undefined;
}

/** The reconfigurations of Windows services' arguments in one script, in script order. */
function reconfigsOf(s: PsScriptFacts): Reconfig[] {
  const src = s.text.text;
  const out: Reconfig[] = [];
  const unknownName = '\u0000';
  for (const c of s.scan.commands) {
    const n = programName(s, c);
    // Most commands of a long script reconfigure nothing: no span or argument text for them.
    if (!isNssm(n) && !isSc(n) && n !== 'set-service' && n !== 'set-itemproperty' && n !== 'new-itemproperty') continue;
    const span = s.text.toHost(c.start, c.end);
    const verb = psValueText(src, c.arguments[0]).toLowerCase();
    if (isNssm(n) && (verb === 'set' || verb === 'reset') && /^appparameters$/i.test(psValueText(src, c.arguments[2]))) {
      const key = serviceKey(s, c.arguments[1], c.start) ?? unknownName;
      const flags = verb === 'reset' ? [] : argFlags(s, c, 3, c.start);
      out.push({ key, start: c.start, span, via: `nssm ${verb} AppParameters`, flags });
    } else if (isSc(n) && verb === 'config' && c.arguments.some((a) => /^binpath=/i.test(psValueText(src, a)))) {
      const key = serviceKey(s, c.arguments[1], c.start) ?? unknownName;
      const bin = binPathArg(src, c);
      let flags: Reconfig['flags'];
      if (!bin) flags = { unknown: 'sc.exe config binPath= has no value' };
      else if (bin.kind === 'variable') flags = argFlags(s, c, c.arguments.indexOf(bin), c.start);
      else {
        const binText = psValueText(src, bin).replace(/^binpath=/i, '');
        const base = bin.kind === 'string' ? bin.literal.contentStart : bin.start;
        flags = resolveFlags(
          s,
          flagsIn(binText, (a, b) => s.text.toHost(base + a, base + b)),
          c.start,
        );
      }
      out.push({ key, start: c.start, span, via: 'sc.exe config binPath=', flags });
    } else if (n === 'set-service' && c.parameters.some((p) => p.name.toLowerCase() === 'binarypathname')) {
      const name = c.parameters.find((p) => p.name.toLowerCase() === 'name')?.value ?? c.arguments[0];
      out.push({
        key: serviceKey(s, name, c.start) ?? unknownName,
        start: c.start,
        span,
        via: 'Set-Service -BinaryPathName',
        flags: { unknown: 'Set-Service -BinaryPathName is not followed' },
      });
    } else if (/^(set|new)-itemproperty$/.test(n)) {
      const text = src.slice(c.start, c.end);
      if (!/\bImagePath\b/i.test(text)) continue;
      const m = /services[\\/]+([^\\/'"\s]+)/i.exec(psValueText(src, c.parameters.find((p) => p.name.toLowerCase() === 'path')?.value ?? c.arguments[0]));
      const key = m && !m[1]!.includes('$') ? m[1]!.toLowerCase() : unknownName;
      out.push({ key, start: c.start, span, via: 'registry ImagePath', flags: { unknown: 'a registry ImagePath edit is not followed' } });
    }
  }
  return out;
}

/** Brace-matched `{ … }` bodies as `innermostFunction` reads them (it uses only `bodyStart` / `bodyEnd`). */
function innermostBody(pairs: Array<{ bodyStart: number; bodyEnd: number }>): (offset: number) => { bodyStart: number; bodyEnd: number } | undefined {
  return innermostFunction(pairs as unknown as PsFunction[]) as unknown as (offset: number) => { bodyStart: number; bodyEnd: number } | undefined;
}

/** The arms of a Terraform template's `%{ if }` / `%{ else }` / `%{ for }` … `%{ endif }` / `%{ endfor }` in a host file. */
function templateArms(text: string): (offset: number) => { bodyStart: number; bodyEnd: number } | undefined {
  const pairs: Array<{ bodyStart: number; bodyEnd: number }> = [];
  const open: number[] = [];
  for (const m of text.matchAll(/%\{~?\s*(if|for|else|endif|endfor)\b[^}]*\}/g)) {
    const at = m.index ?? 0;
    if (m[1] === 'if' || m[1] === 'for') open.push(at + m[0].length);
    else if (open.length > 0) {
      pairs.push({ bodyStart: open.pop()!, bodyEnd: at });
      if (m[1] === 'else') open.push(at + m[0].length);
    }
  }
  return innermostBody(pairs);
}

/**
 * Whether a command at `at` runs whenever one at `createdAt` did: it sits in the innermost braced block of the
 * creation (`if {…}`, `try {…}`, `foreach {…}`, script blocks; outside strings and comments) or one enclosing it, and
 * likewise for the arms of a template's `%{ if }` / `%{ for }` in the host file (a rendered user-data template keeps
 * both arms of a condition it cannot decide; the host text still shows them). One pass over the script's text.
 */
function placementOf(s: PsScriptFacts, hostText: (file: string) => string | undefined): (createdAt: number, at: number) => boolean {
  const src = s.text.text;
  const skip = [...s.scan.strings, ...s.scan.comments, ...(s.scan.templateDirectives ?? [])].sort((a, b) => a.start - b.start);
  const pairs: Array<{ bodyStart: number; bodyEnd: number }> = [];
  const open: number[] = [];
  let k = 0;
  for (let i = 0; i < src.length; i++) {
    while (k < skip.length && skip[k]!.end <= i) k++;
    if (k < skip.length && skip[k]!.start <= i) {
      i = skip[k]!.end - 1;
      continue;
    }
    const ch = src.charCodeAt(i);
    if (ch === 123 /* { */) open.push(i + 1);
    else if (ch === 125 /* } */ && open.length > 0) pairs.push({ bodyStart: open.pop()!, bodyEnd: i });
  }
  const braces = innermostBody(pairs);
  const arms = new Map<string, ReturnType<typeof templateArms>>();
  const holds = (b: { bodyStart: number; bodyEnd: number } | undefined, x: number) => b === undefined || (b.bodyStart <= x && x < b.bodyEnd);
  return (createdAt, at) => {
    if (!holds(braces(at), createdAt)) return false;
    const hc = s.text.toHost(createdAt, createdAt);
    const hr = s.text.toHost(at, at);
    if (hc.file !== hr.file) return false;
    let find = arms.get(hr.file);
    if (!find) arms.set(hr.file, (find = templateArms(hostText(hr.file) ?? '')));
    return holds(find(hr.start), hc.start);
  };
}

/**
 * The command line a service created at `createdAt` runs with after the script's later reconfigurations: the last one
 * that runs wins. A reconfiguration counts when it comes after the creation and sits in the creation's block or one
 * enclosing it (it then runs whenever the creation did, after it); one inside a function or branch that does not hold
 * the creation cannot be placed, and the flags become unknown. Undefined when nothing reconfigures the service.
 */
function finalArgs(
  reconfigs: readonly Reconfig[],
  key: string,
  createdAt: number,
  placed: (createdAt: number, at: number) => boolean,
  fnAt: (offset: number) => PsFunction | undefined,
): { flags: ServiceFlag[] | { unknown: string }; via: string; span: Span } | undefined {
  let result: { flags: ServiceFlag[] | { unknown: string }; via: string; span: Span } | undefined;
  const createFn = fnAt(createdAt);
  for (const r of reconfigs) {
    if (r.key !== key && r.key !== '\u0000') continue;
    const fn = fnAt(r.start);
    const inOtherFn = fn !== undefined && fn !== createFn;
    // Which service it reconfigures, or when it runs against the creation, is not known: the arguments are unknown
    // whatever comes after.
    if (r.key === '\u0000') {
      if (r.start > createdAt || inOtherFn) return { flags: { unknown: `${r.via} of a service whose name is not known` }, via: r.via, span: r.span };
      continue;
    }
    if (inOtherFn || (createFn !== undefined && fn !== createFn)) {
      return { flags: { unknown: `${r.via} inside a function that may run at another time than the creation` }, via: r.via, span: r.span };
    }
    if (r.start < createdAt) continue;
    if (!placed(createdAt, r.start)) {
      return { flags: { unknown: `${r.via} inside a branch or block that may not run` }, via: r.via, span: r.span };
    }
    result = { flags: r.flags, via: r.via, span: r.span };
  }
  return result;
}

function windowsServices(
  s: PsScriptFacts,
  foreign: (key: string) => string | undefined,
  reconfigs: readonly Reconfig[],
  hostText: (file: string) => string | undefined,
): ServiceDef[] {
  const src = s.text.text;
  const out: ServiceDef[] = [];
  const extraDeps = new Map<string, string[]>();
  let placed: ((createdAt: number, at: number) => boolean) | undefined;
  let fnAt: ((offset: number) => PsFunction | undefined) | undefined;
  let byKey: Map<string, Reconfig[]> | undefined;
  for (const c of s.scan.commands) {
    const n = programName(s, c);
    if ((n === 'sc.exe' || n === 'sc') && psValueText(src, c.arguments[0]).toLowerCase() === 'config') {
      const words = c.arguments.map((a) => psValueText(src, a));
      const i = words.findIndex((w) => /^depend=/i.test(w));
      if (i >= 0) {
        const v = words[i]!.length > 7 ? words[i]!.slice(7) : (words[i + 1] ?? '');
        extraDeps.set((words[1] ?? '').toLowerCase(), v.toLowerCase().split('/'));
      }
    }
    if (n === 'set-service') {
      const dep = c.parameters.find((p) => p.name.toLowerCase() === 'dependson');
      const name = c.parameters.find((p) => p.name.toLowerCase() === 'name');
      if (dep && name)
        extraDeps.set(
          psValueText(src, name.value).toLowerCase(),
          psValueText(src, dep.value)
            .toLowerCase()
            .split(/[\s,]+/),
        );
    }
  }
  /** One service: its flags resolved with the script's values, its dependencies with the later `sc.exe config depend=`. */
  const add = (c: PsCommand, product: Product, name: string, flags: ServiceFlag[], deps: readonly string[], via: string, nameArg?: PsValue): void => {
    const key = (nameArg && serviceKey(s, nameArg, c.start)) ?? name;
    let later: ReturnType<typeof finalArgs>;
    if (reconfigs.length > 0) {
      placed ??= placementOf(s, hostText);
      fnAt ??= innermostFunction(s.scan.functions ?? []);
      if (!byKey) {
        byKey = new Map();
        for (const r of reconfigs) {
          const list = byKey.get(r.key);
          if (list) list.push(r);
          else byKey.set(r.key, [r]);
        }
      }
      // This service's reconfigurations and those of a service whose name is not known, in script order.
      const mine = [...(byKey.get(key) ?? []), ...(key === '\u0000' ? [] : (byKey.get('\u0000') ?? []))].sort((a, b) => a.start - b.start);
      if (mine.length > 0) later = finalArgs(mine, key, c.start, placed, fnAt);
    }
    const elsewhere = foreign(key);
    const unknown = elsewhere ?? (later && !Array.isArray(later.flags) ? later.flags.unknown : undefined);
    out.push({
      os: 'windows',
      product,
      name,
      file: s.file,
      span: s.text.toHost(c.start, c.end),
      flags: unknown !== undefined ? [] : later && Array.isArray(later.flags) ? later.flags : resolveFlags(s, flags, c.start),
      dependsOn: [...deps, ...(extraDeps.get(name) ?? [])],
      via: later ? `${via} + ${later.via}` : elsewhere !== undefined ? `${via} (reconfigured in another script)` : via,
      ...(unknown !== undefined ? { flagsUnknown: unknown } : {}),
      ...(later ? { argsSpan: later.span } : {}),
    });
  };
  for (const c of s.scan.commands) {
    const n = programName(s, c);
    if (n === 'new-service') {
      const p = (k: string) => c.parameters.find((q) => q.name.toLowerCase() === k);
      const name = psValueText(src, p('name')?.value).toLowerCase() || psValueText(src, c.arguments[0]).toLowerCase();
      const bin = p('binarypathname')?.value;
      const binText = psValueText(src, bin);
      const product = productOf(binText) ?? productOf(name);
      if (!product) continue;
      const base = bin?.kind === 'string' ? bin.literal.contentStart : (bin?.start ?? c.start);
      const deps = psValueText(src, p('dependson')?.value)
        .toLowerCase()
        .split(/[\s,'"]+/)
        .filter(Boolean);
      add(
        c,
        product,
        name,
        flagsIn(binText, (a, b) => s.text.toHost(base + a, base + b)),
        deps,
        'New-Service',
        p('name')?.value ?? c.arguments[0],
      );
    } else if (isSc(n) && /^create$/i.test(psValueText(src, c.arguments[0]))) {
      const name = psValueText(src, c.arguments[1]).toLowerCase();
      const binArg = binPathArg(src, c);
      const binText = psValueText(src, binArg).replace(/^binpath=/i, '');
      const product = productOf(binText) ?? productOf(name);
      if (!product) continue;
      const base = binArg?.kind === 'string' ? binArg.literal.contentStart : (binArg?.start ?? c.start);
      const di = c.arguments.findIndex((a) => /^depend=/i.test(psValueText(src, a)));
      const deps = di >= 0 ? (psValueText(src, c.arguments[di]).slice(7) || psValueText(src, c.arguments[di + 1])).toLowerCase().split('/') : [];
      add(
        c,
        product,
        name,
        flagsIn(binText, (a, b) => s.text.toHost(base + a, base + b)),
        deps,
        'sc.exe create',
        c.arguments[1],
      );
    } else if (isNssm(n) && /^install$/i.test(psValueText(src, c.arguments[0]))) {
      const name = psValueText(src, c.arguments[1]).toLowerCase();
      const rest = c.arguments.slice(2);
      const text = rest.map((a) => psValueText(src, a)).join(' ');
      const product = productOf(text) ?? productOf(name);
      if (!product) continue;
      const flags = argFlags(s, c, 2, c.start, true);
      add(c, product, name, Array.isArray(flags) ? flags : [], [], 'nssm install', c.arguments[1]);
    }
  }
  return out;
}

function unitService(text: string, toHost: (s: number, e: number) => Span, file: string, name: string, via: string): ServiceDef | undefined {
  const unit = parseSystemdUnit(text);
  let exec: { value: string; valueStart: number; start: number; end: number } | undefined;
  const deps: string[] = [];
  for (const sec of unit.sections) {
    for (const e of sec.entries) {
      if (sec.name === 'Service' && e.key === 'ExecStart') exec = e;
      if (sec.name === 'Unit' && /^(After|Wants|Requires|BindsTo)$/.test(e.key))
        deps.push(
          ...e.value
            .toLowerCase()
            .split(/\s+/)
            .filter(Boolean)
            .map((d) => d.replace(/\.service$/, '')),
        );
    }
  }
  if (!exec) return undefined;
  // `ExecStart=/bin/sh -c "consul agent -server …"`: the agent's command line is the shell's command string (read when
  // it runs the agent directly: `<path>/consul agent …`, optionally after `exec`).
  let line = { value: exec.value, valueStart: exec.valueStart };
  const shell = /^\s*[-@+!:]*(?:\S*\/)?(?:ba|da)?sh\s+-c\s+(["'])/.exec(exec.value);
  if (shell) {
    const open = shell[0].length;
    const close = exec.value.lastIndexOf(shell[1]!);
    const inner = close > open ? exec.value.slice(open, close) : '';
    const at = /^\s*(?:exec\s+)?(?=\S*(?:nomad|consul)\s+agent\b)/.exec(inner);
    if (at) line = { value: inner.slice(at[0].length), valueStart: exec.valueStart + open + at[0].length };
  }
  const product = productOf(line.value.split(/\s+/)[0] ?? '') ?? productOf(name);
  if (!product) return undefined;
  const flags: ServiceFlag[] = parseExecStartFlags(line.value, line.valueStart).map((f) => {
    if (f.value === undefined) return { name: f.name, value: '', span: toHost(f.start, f.end), bare: true, resolved: '' };
    const value = f.value.replace(/^["']|["']$/g, '');
    const eq = f.valueStart !== undefined && line.value[f.valueStart - line.valueStart - 1] === '=';
    return { name: f.name, value, span: toHost(f.start, f.end), eq, ...(value.includes('$') ? {} : { resolved: value }) };
  });
  return { os: 'linux', product, name, file, span: toHost(exec.start, exec.end), flags, dependsOn: deps, via };
}

const cache = new WeakMap<DeploymentModel, ServiceDef[]>();

export function serviceDefs(model: DeploymentModel): ServiceDef[] {
  const hit = cache.get(model);
  if (hit) return hit;
  const out: ServiceDef[] = [];
  // Reconfigurations per script file; one that another script makes is not placed in time against the creation.
  const reconfigs = new Map<PsScriptFacts, Reconfig[]>();
  const byName = new Map<string, Map<string, string>>();
  for (const s of model.scripts) {
    if (s.language !== 'powershell') continue;
    const list = reconfigsOf(s);
    reconfigs.set(s, list);
    for (const r of list) {
      let files = byName.get(r.key);
      if (!files) byName.set(r.key, (files = new Map()));
      if (!files.has(s.file)) files.set(s.file, `${r.via} in ${s.file}, another script, whose order against the creation is not known`);
    }
  }
  /** Why another script than `file` reconfigures the service `key` (or one whose name is not known); undefined when none does. */
  const elsewhere = (file: string, key: string): string | undefined => {
    for (const k of [key, '\u0000']) for (const [f, why] of byName.get(k) ?? []) if (f !== file) return why;
    return undefined;
  };
  for (const s of model.scripts) {
    if (s.language === 'powershell') {
      const foreign = (key: string) => elsewhere(s.file, key);
      out.push(...windowsServices(s, foreign, reconfigs.get(s) ?? [], (f) => model.files.get(f)?.text));
    } else {
      for (const h of s.scan.heredocs) {
        const t = h.targets.map((w) => w.literal ?? w.raw).find((x) => /\/systemd\/system\/[^/]+\.service$/.test(x));
        if (!t) continue;
        const body = s.text.text.slice(h.bodyStart, h.bodyEnd);
        const d = unitService(
          body,
          (a, b) => s.text.toHost(h.bodyStart + a, h.bodyStart + b),
          s.file,
          t.replace(/^.*\//, '').replace(/\.service$/, ''),
          `heredoc to ${t}`,
        );
        if (d) out.push(d);
      }
    }
  }
  for (const [file, src] of model.files) {
    if (!file.endsWith('.service')) continue;
    if (uploadedButNotInstalled(model, file)) continue;
    const d = unitService(src.text, (a, b) => ({ file, start: a, end: b }), file, file.replace(/^.*\//, '').replace(/\.service$/, ''), 'systemd unit');
    if (d) out.push(d);
  }
  for (const c of model.composeFiles ?? []) out.push(...composeServiceDefs(model, c));
  // `flags` keeps the flags the service checks read; every flag stays in `launchFlags`.
  const defs = out.map((d): ServiceDef => ({ ...d, flags: d.flags.filter((f) => !f.bare && SERVICE_FLAG.test(f.name)), launchFlags: d.flags }));
  cache.set(model, defs);
  return defs;
}

/** The agent a container runs when a command-line word is its program: `nomad`, `/bin/consul` (no `.exe`: Linux containers). */
function agentProgram(word: ComposeWord | undefined): Product | undefined {
  const m = word ? /(?:^|\/)(nomad|consul)$/.exec(word.text) : null;
  return m ? (m[1] as Product) : undefined;
}

/**
 * Whether an entrypoint program is a wrapper script of the tree that runs the arguments it is given (`exec "$@"`,
 * `$@ &`): found by its file name among the tree's shell scripts; every script of that name must use `$@` / `$*`.
 */
function wrapperRunsArgs(model: DeploymentModel, program: string): boolean {
  const name = baseName(program);
  const scripts = model.scripts.filter((s) => s.language === 'bash' && baseName(s.file) === name);
  return scripts.length > 0 && scripts.every((s) => /\$\{?[@*]\}?/.test(s.text.text));
}

/**
 * The agent command line of a Compose service, from its program word on (`nomad agent …`), or undefined when the
 * service does not run an agent or what it runs is not known. What runs is the entrypoint followed by the command;
 * "if `entrypoint` is non-null, Compose ignores any default command from the image" (Compose file reference,
 * services: entrypoint). Read, conservatively:
 * - `entrypoint: nomad` (or `/bin/consul`, or `[nomad, agent, …]`): the entrypoint and the command are the line;
 *   a bare `command: agent …` is read only this way;
 * - no entrypoint (the image's ENTRYPOINT), or an empty one: a `command:` that starts with `nomad agent` / `consul
 *   agent` is the line (the image's entrypoint is taken to run its command, as Docker images do with `exec "$@"`);
 * - an entrypoint that is a wrapper script of the tree run with no other argument (`entrypoint:
 *   /bin/server-entry.sh`, a `server-entry.sh` that runs `$@`): a command that starts with `nomad agent` is the line.
 * Anything else (`sh -c`, `tini --`, a wrapper not in the tree, `agent …` with only an image's entrypoint, which may
 * add flags of its own, a program given by a variable) is not read.
 */
function composeAgentLine(model: DeploymentModel, svc: ComposeService): { product: Product; words: readonly ComposeWord[] } | undefined {
  const ep = svc.entrypoint?.words;
  const cmd = svc.command?.words ?? [];
  const startsAgent = (w: readonly ComposeWord[]) => {
    const p = agentProgram(w[0]);
    return p && w[1]?.text === 'agent' ? p : undefined;
  };
  if (ep && ep.length > 0) {
    if (agentProgram(ep[0])) {
      const words = [...ep, ...cmd];
      const p = startsAgent(words);
      return p ? { product: p, words } : undefined;
    }
    const p = startsAgent(cmd);
    return p && ep.length === 1 && wrapperRunsArgs(model, ep[0]!.text) ? { product: p, words: cmd } : undefined;
  }
  const p = startsAgent(cmd);
  return p ? { product: p, words: cmd } : undefined;
}

/** The flags service definitions carry (as flagsIn reads them from a Windows command line). */
const COMPOSE_FLAG = /^--?([A-Za-z][\w-]*)(?:=([\s\S]*))?$/;

/**
 * Compose services that start a Nomad or Consul agent (see composeAgentLine), as Linux service definitions: their
 * flags point at the Compose file, with Compose's variables substituted from the `.env` file of the project
 * directory where it sets them; a variable it does not set is unknown (the shell running `docker compose` may set
 * it), with that reason. `depends_on` is not read as a dependency (container start order, not a service manager's).
 */
function composeServiceDefs(model: DeploymentModel, c: ComposeFileFacts): ServiceDef[] {
  const out: ServiceDef[] = [];
  const envFile = c.env?.file ?? (dirOf(c.file) ? `${dirOf(c.file)}/.env` : '.env');
  for (const svc of c.parse.services) {
    const line = composeAgentLine(model, svc);
    if (!line) continue;
    const stringForm = svc.command?.form === 'string' || svc.entrypoint?.form === 'string';
    const flags: ServiceFlag[] = [];
    const words = line.words;
    for (let i = 2; i < words.length; i++) {
      const w = words[i]!;
      const m = COMPOSE_FLAG.exec(w.text);
      if (!m) continue;
      let value = m[2];
      let end = w.end;
      if (value === undefined) {
        const next = words[i + 1];
        // A flag the service checks read takes the next word whatever it is; any other takes one that is not a flag,
        // and is a boolean flag (`-server`) without one.
        const takes = next !== undefined && (SERVICE_FLAG.test(m[1]!) || !/^-./.test(next.text));
        if (!takes) {
          if (!SERVICE_FLAG.test(m[1]!)) flags.push({ name: m[1]!, value: '', span: { file: c.file, start: w.start, end: w.end }, bare: true, resolved: '' });
          continue;
        }
        value = next.text;
        end = Math.max(end, next.end);
        i++;
      }
      const r = interpolateCompose(value, c.env?.vars, envFile);
      let resolved: string | undefined;
      let unknownReason: string | undefined;
      let resolvedFrom: string | undefined;
      if ('unknown' in r) unknownReason = r.unknown;
      else if (stringForm && /\s/.test(r.text) && value.includes('$'))
        unknownReason = `the value of ${value} holds blanks, and Compose splits a string command line into words after substituting it`;
      else {
        resolved = r.text;
        // Compose: "Values set in the shell environment override those set in the .env file".
        if (r.vars.length > 0)
          resolvedFrom = `${r.vars.join(', ')} from ${envFile}, unless the shell running docker compose sets ${r.vars.length > 1 ? 'them' : 'it'}`;
      }
      flags.push({
        name: m[1]!,
        value,
        span: { file: c.file, start: Math.min(w.start, end), end },
        eq: m[2] !== undefined,
        ...(resolved !== undefined ? { resolved } : {}),
        ...(unknownReason !== undefined ? { unknownReason } : {}),
        ...(resolvedFrom !== undefined ? { resolvedFrom } : {}),
      });
    }
    const parts = [svc.entrypoint, svc.command].filter((x) => x !== undefined);
    out.push({
      os: 'linux',
      product: line.product,
      name: svc.name.toLowerCase(),
      file: c.file,
      span: { file: c.file, start: Math.min(...parts.map((x) => x.start)), end: Math.max(...parts.map((x) => x.end)) },
      flags,
      dependsOn: [],
      via: 'docker compose',
    });
  }
  return out;
}

/**
 * A unit file a Packer build uploads somewhere other than a systemd directory (`/tmp/consul.service`) that no script
 * and no other line of that template ever names again (no `mv`/`cp`/`install` into /etc/systemd/system): the image
 * runs the service with the unit its package installed, not this one.
 */
function uploadedButNotInstalled(model: DeploymentModel, file: string): boolean {
  const ups = uploadDestinations(model, file);
  if (ups.length === 0 || ups.some((u) => /\/systemd\//.test(u.destination))) return false;
  return !ups.some((u) => {
    const d = u.destination;
    const template = model.files.get(u.template)?.text ?? '';
    return template.split(d).length > 2 || model.scripts.some((s) => s.text.text.includes(d));
  });
}

const resolvedTargets = new WeakMap<DeploymentModel, Map<AgentConfigDoc, string | undefined>>();

/** Where a config document is written, with a `$Var` / `Join-Path $Dir "x"` target resolved; undefined when unknown. */
export function resolvedTargetPath(model: DeploymentModel, doc: AgentConfigDoc): string | undefined {
  const raw = doc.targetPath;
  if (!raw) return undefined;
  if (!raw.startsWith('$')) return raw.includes('$') ? undefined : raw;
  // Once per model (the roles and several checks ask): following the variable searches the script.
  let memo = resolvedTargets.get(model);
  if (memo === undefined) resolvedTargets.set(model, (memo = new Map()));
  if (memo.has(doc)) return memo.get(doc);
  const path = resolveTargetVariable(model, doc, raw);
  memo.set(doc, path);
  return path;
}

function resolveTargetVariable(model: DeploymentModel, doc: AgentConfigDoc, raw: string): string | undefined {
  let path: string | undefined;
  const s = model.scripts.find((x) => x.file === doc.hostFile);
  const name = /^\$\{?([A-Za-z_][\w:]*)\}?$/.exec(raw)?.[1];
  if (s && name) {
    const v = s.resolveVariable(name, s.text.text.length);
    if (v.kind === 'known') path = v.text;
    else if (s.language === 'powershell') {
      const a = [...s.scan.assignments].reverse().find((x) => x.name.toLowerCase() === name.toLowerCase());
      const m = a ? /^Join-Path\s+\$(\w+)\s+["']([^"'$]+)["']\s*$/i.exec(s.text.text.slice(a.value?.start ?? 0, a.value?.end ?? 0).trim()) : null;
      if (a && m) {
        const dir = s.resolveVariable(m[1]!, a.start);
        if (dir.kind === 'known') path = `${dir.text.replace(/[\\/]+$/, '')}\\${m[2]}`;
      }
    }
  }
  return path && !path.includes('$') ? path : undefined;
}

/** Where the scripts write each product's agent config, per OS, with `$Var` / `Join-Path $Dir "x"` targets resolved. */
export function configTargets(model: DeploymentModel): Array<{ os: 'windows' | 'linux'; product: Product; path: string; span: Span; hostFile: string }> {
  const out: Array<{ os: 'windows' | 'linux'; product: Product; path: string; span: Span; hostFile: string }> = [];
  for (const c of model.configs) {
    const path = resolvedTargetPath(model, c.doc);
    if (path) out.push({ os: c.doc.os, product: c.product, path, span: c.doc.writeSpan, hostFile: c.doc.hostFile });
  }
  return out;
}

const singleFiles = new WeakMap<DeploymentModel, Map<string, ReadonlySet<string> | undefined>>();

/**
 * The only config files an agent loads, when every service of the tree that starts that product on that OS names
 * single files (Consul `-config-file=…`; `-config=…` ending in .hcl/.json, which both agents read as one file):
 * normalised paths (see normPath). Undefined when a service loads a directory, a path is not known, or the tree
 * defines no such service — then every file of the config directory counts.
 */
export function singleFileConfigs(model: DeploymentModel, os: 'windows' | 'linux', product: Product): ReadonlySet<string> | undefined {
  let memo = singleFiles.get(model);
  if (memo === undefined) singleFiles.set(model, (memo = new Map()));
  const key = `${os}:${product}`;
  if (memo.has(key)) return memo.get(key);
  const files = new Set<string>();
  let known = false;
  for (const def of serviceDefs(model)) {
    if (def.os !== os || def.product !== product) continue;
    if (def.flagsUnknown !== undefined) {
      memo.set(key, undefined);
      return undefined;
    }
    for (const f of def.flags) {
      if (!/^config/.test(f.name)) continue;
      const p = f.resolved === undefined ? undefined : normPath(f.resolved, os === 'windows');
      if (p === undefined || f.name === 'config-dir' || !/\.(hcl|json)$/i.test(p)) {
        memo.set(key, undefined);
        return undefined;
      }
      files.add(p);
      known = true;
    }
  }
  const result = known ? files : undefined;
  memo.set(key, result);
  return result;
}

/** Whether the agent loads this config document: always, unless its services name single files and this is not one. */
export function loadedByAgent(model: DeploymentModel, doc: AgentConfigDoc, product: Product): boolean {
  const only = singleFileConfigs(model, doc.os === 'windows' ? 'windows' : 'linux', product);
  if (only === undefined) return true;
  const target = resolvedTargetPath(model, doc);
  return target === undefined || only.has(normPath(target, doc.os === 'windows'));
}

/**
 * The value that the services starting `product` on `os` give a setting by a command-line flag (`-region=east`,
 * `-dc`/`-datacenter`): command-line flags override the config files (Nomad command/agent/command.go readConfig merges
 * the flag config over the file config; Consul's agent configuration docs put command-line arguments first in precedence, before configuration files). Undefined when
 * no such service passes the flag; `'unknown'` when one passes a value that is not known, two pass different values,
 * or only some of them pass it (which service starts which role, e.g. a Linux server and a Linux client, is not known).
 */
export function serviceFlagValue(
  model: DeploymentModel,
  os: 'windows' | 'linux',
  product: Product,
  names: readonly string[],
): { value: string; def: ServiceDef; flag: ServiceFlag } | 'unknown' | undefined {
  let found: { value: string; def: ServiceDef; flag: ServiceFlag } | undefined;
  let without = false;
  for (const def of serviceDefs(model)) {
    if (def.os !== os || def.product !== product) continue;
    // Its command line is not known: it may pass the flag.
    if (def.flagsUnknown !== undefined) return 'unknown';
    if (!def.flags.some((f) => names.includes(f.name))) without = true;
    for (const flag of def.flags) {
      if (!names.includes(flag.name)) continue;
      if (flag.resolved === undefined) return 'unknown';
      if (found && found.value !== flag.resolved) return 'unknown';
      found ??= { value: flag.resolved, def, flag };
    }
  }
  return found && without ? 'unknown' : found;
}

/**
 * What the roles need to merge their files in load order: the config flags of every service that starts an agent, in
 * command-line order (`-config=/etc/nomad.d -config=/etc/nomad.d/role/client.hcl`), and where each document is
 * written with the script's variables resolved.
 */
export function agentLoadContext(model: DeploymentModel): LoadContext {
  const launches: AgentLaunch[] = [
    ...serviceDefs(model).map((d) => ({
      os: d.os,
      product: d.product,
      // The settings its other flags give (`-servers`, `-retry-join`, `-encrypt`): read once per model, not per role.
      settings: d.flagsUnknown !== undefined ? [] : launchSettings(d.product, d.launchFlags ?? d.flags),
      ...(d.flagsUnknown !== undefined ? { unknown: d.flagsUnknown } : {}),
      label: `the ${d.via} launch line of the ${d.product} service "${d.name}" in ${d.file}`,
      // A service whose command line is not known loads config from a path that is not known.
      flags:
        d.flagsUnknown !== undefined
          ? [{ name: 'config', path: undefined }]
          : d.flags.filter((f) => /^config(-dir|-file)?$/.test(f.name)).map((f) => ({ name: f.name, path: f.resolved })),
    })),
    ...scriptAgentLaunches(model),
  ];
  return { launches, targetOf: (doc) => resolvedTargetPath(model, doc) };
}

/**
 * PowerShell's own agent runs: `& "C:\nomad\nomad.exe" agent -config=… -servers=…` (a native command: its arguments
 * joined as the program receives them) and `Start-Process -FilePath C:\nomad\nomad.exe -ArgumentList "agent …"`.
 * A `$Var` resolves with the script's value; one without a static value leaves the flag (or, for a whole argument,
 * the command line) unknown. `-dev` agents are left out.
 */
function psAgentLaunches(s: PsScriptFacts): AgentLaunch[] {
  const out: AgentLaunch[] = [];
  const src = s.text.text;
  for (const c of s.scan.commands) {
    const n = programName(s, c);
    let product = /^(nomad|consul)(\.exe)?$/.exec(n)?.[1] as Product | undefined;
    let flags: ServiceFlag[] | { unknown: string } | undefined;
    let prog = n;
    // Lenient: a word the scan does not read as one value (`-servers=$servers`) stays as written, its `$Var` resolved
    // by resolveFlags (unknown when it has no static value).
    if (product && psValueText(src, c.arguments[0]).toLowerCase() === 'agent') flags = argFlags(s, c, 1, c.start, true);
    else if (n === 'start-process') {
      const param = (name: string) => c.parameters.find((p) => name.startsWith(p.name.toLowerCase()) && p.name.length >= 2)?.value;
      const exe = psValueText(src, param('filepath') ?? c.arguments[0]);
      product = /(?:^|[\\/])(nomad|consul)(?:\.exe)?$/i.exec(exe.trim())?.[1]?.toLowerCase() as Product | undefined;
      const list = param('argumentlist') ?? c.arguments[1];
      if (!product || !list || list.kind !== 'string') continue;
      prog = baseName(exe.trim().replace(/\\/g, '/')).toLowerCase();
      const text = psValueText(src, list);
      if (!/^\s*agent\b/.test(text)) continue;
      const base = list.literal.contentStart;
      flags = resolveFlags(
        s,
        flagsIn(text, (a, b) => s.text.toHost(base + a, base + b)),
        c.start,
      );
    }
    if (!product || flags === undefined) continue;
    const label = `the \`${prog} agent\` command in ${s.file}`;
    if (!Array.isArray(flags)) {
      out.push({ os: 'windows', product, flags: [{ name: 'config', path: undefined }], settings: [], unknown: flags.unknown, label });
      continue;
    }
    if (flags.some((f) => f.name === 'dev' || f.name === 'dev-connect')) continue;
    out.push({
      os: 'windows',
      product,
      flags: flags.filter((f) => !f.bare && /^config(-dir|-file)?$/.test(f.name)).map((f) => ({ name: f.name, path: f.resolved })),
      settings: launchSettings(product, flags),
      label,
    });
  }
  return out;
}

/** Programs that run the command given as their arguments (`nohup nomad agent …`, `exec consul agent …`). */
const RUNS_ARGS = /^(nohup|setsid|exec|nice|env|stdbuf|ionice|chpst)$/;

/**
 * `nomad agent …` / `consul agent …` run by a bash script itself (`nohup nomad agent -config /etc/nomad.d &`, a
 * container entrypoint's `exec consul agent -retry-join …`): a launch line too, for the load order and the settings
 * its flags give. A word with a `$VAR` takes the script's value at the command; `$(…)` or a variable without a static
 * value leaves that flag unknown. Development agents (`-dev`) are left out.
 */
function scriptAgentLaunches(model: DeploymentModel): AgentLaunch[] {
  const out: AgentLaunch[] = [];
  for (const s of model.scripts) {
    // Per script analysis: an unchanged script keeps its facts object (model/buildModel.ts), and with it its launches.
    let mine = scriptLaunches.get(s);
    if (mine === undefined) scriptLaunches.set(s, (mine = launchesOf(s)));
    out.push(...mine);
  }
  return out;
}

const scriptLaunches = new WeakMap<DeploymentModel['scripts'][number], AgentLaunch[]>();

function launchesOf(s: DeploymentModel['scripts'][number]): AgentLaunch[] {
  const out: AgentLaunch[] = [];
  if (!/\b(nomad|consul)(\.exe)?\b[^\n]*\bagent\b/i.test(s.text.text)) return out;
  if (s.language === 'powershell') return psAgentLaunches(s);
  for (const c of s.scan.commands) {
    let prog = c.name;
    let args = c.args;
    while (RUNS_ARGS.test(baseName(prog)) && args.length > 0 && args[0]!.literal !== undefined) {
      prog = args[0]!.literal!;
      args = args.slice(1);
      // `nice -n 10`, `env X=1`: their own options and assignments before the program.
      while (args.length > 0 && args[0]!.literal !== undefined && (/^-/.test(args[0]!.literal!) || /^\w+=/.test(args[0]!.literal!))) args = args.slice(1);
    }
    const product = /(?:^|\/)(nomad|consul)$/.exec(prog)?.[1] as Product | undefined;
    if (!product || args[0]?.literal !== 'agent') continue;
    const text = (w: (typeof args)[number]): { text: string } | { unknown: string } => {
      if (w.literal !== undefined) return { text: w.literal };
      let unknown: string | undefined;
      let v = w.raw;
      for (const e of [...w.expansions].sort((a, b) => b.start - a.start)) {
        const r = e.command || e.arithmetic || e.template ? undefined : s.resolveVariable(e.name, c.start);
        if (!r || r.kind !== 'known') {
          unknown ??= `${w.raw} holds ${e.command ? 'a command substitution' : `$${e.name}`}, whose value is not known`;
          continue;
        }
        v = v.slice(0, e.start - w.start) + r.text + v.slice(e.end - w.start);
      }
      return unknown !== undefined ? { unknown } : { text: v.replace(/^(["'])([\s\S]*)\1$/, '$2') };
    };
    const flags: ServiceFlag[] = [];
    let dev = false;
    for (let i = 1; i < args.length; i++) {
      const w = args[i]!;
      const head = w.literal ?? w.raw;
      const m = /^--?([A-Za-z][\w-]*)(=|$)/.exec(head);
      if (!m) continue;
      if (m[1] === 'dev' || m[1] === 'dev-connect') dev = true;
      let valueWord: (typeof args)[number] | undefined;
      let value: { text: string } | { unknown: string } | undefined;
      if (m[2] === '=') {
        const full = text(w);
        value = 'text' in full ? { text: full.text.slice(full.text.indexOf('=') + 1) } : full;
      } else {
        const next = args[i + 1];
        const nextHead = next ? (next.literal ?? next.raw) : undefined;
        if (next && nextHead !== undefined && !/^-./.test(nextHead)) {
          valueWord = next;
          value = text(next);
          i++;
        }
      }
      const span = s.text.toHost(w.start, (valueWord ?? w).end);
      if (value === undefined) flags.push({ name: m[1]!, value: '', span, bare: true, resolved: '' });
      else {
        const raw = (valueWord ?? w).raw;
        flags.push({
          name: m[1]!,
          value: m[2] === '=' ? raw.slice(raw.indexOf('=') + 1) : raw,
          span,
          eq: m[2] === '=',
          ...('text' in value ? { resolved: value.text } : { unknownReason: value.unknown }),
        });
      }
    }
    if (dev) continue;
    out.push({
      os: 'linux',
      product,
      flags: flags.filter((f) => !f.bare && /^config(-dir|-file)?$/.test(f.name)).map((f) => ({ name: f.name, path: f.resolved })),
      settings: launchSettings(product, flags),
      label: `the \`${baseName(prog)} agent\` command in ${s.file}`,
    });
  }
  return out;
}
