/**
 * Follows values through a PowerShell script: parameters (defaults or the
 * arguments a caller passes), assignments, here-strings with their
 * expansions, `-replace` chains on config templates, and the file writes
 * that produce agent configs.
 */
import type { PsAssignment, PsExpansion, PsReplaceOp, PsScanResult, PsStringLiteral, PsValue } from '../parsers/powershell/types';
import { decodePsString, subexpressionVariable } from '../parsers/powershell';
import { MappedText, MappedTextBuilder } from '../text/mappedText';
import type { ChainStep, ResolvedValue, Span } from '../types';
import type { AgentConfigDoc } from '../agent/configDoc';
import { looksLikeAgentConfigPath } from '../agent/configDoc';
import { baseName } from '../workspace/fileKinds';
import { looksSecretName } from '../terraform/values';
import type { PlaceholderMatch, PsScriptFacts, ScriptArgument, ScriptInvocation, TreeFileLookup } from './scriptModel';
import { valueOfMapped } from './scriptModel';

const MAX_DEPTH = 8;

export function analyzePowerShell(
  file: string,
  text: MappedText,
  scan: PsScanResult,
  templated: boolean,
  callers: readonly ScriptInvocation[],
  lookup: TreeFileLookup,
  /** `invocations`: only what this script calls (the first pass); `full`: also the configs it writes. */
  mode: 'invocations' | 'full' = 'full',
): PsScriptFacts {
  const ctx = new PsResolver(file, text, scan, callers, lookup);
  const configDocs: AgentConfigDoc[] = [];
  if (mode === 'full')
    scan.fileWrites.forEach((w, i) => {
      const target = w.path ? ctx.valueOf(w.path, 0) : undefined;
      const targetText = target?.kind === 'known' ? target.text : w.path ? text.text.slice(w.path.start, w.path.end) : undefined;
      const content = w.content ? ctx.mappedOf(w.content, 0) : undefined;
      if (!content) return;
      const agentLike = (targetText !== undefined && looksLikeAgentConfigPath(stripQuotes(targetText))) || looksLikeAgentConfigText(content.text);
      if (!agentLike) return;
      const format = targetText && /\.json['"]?$/i.test(targetText.trim()) ? 'json' : 'hcl';
      configDocs.push({
        id: `${file}#write${i}`,
        hostFile: file,
        os: 'windows',
        osReason: `written by the PowerShell script ${baseName(file)}`,
        targetPath: targetText ? stripQuotes(targetText) : undefined,
        writeSpan: text.toHost(w.start, w.end),
        via: describeWrite(w.via, w.content),
        text: content,
        format,
        templateFile: ctx.templateOf(w.content),
        append: w.append,
        encoding: w.encoding ? { text: w.encoding.text, span: text.toHost(w.encoding.start, w.encoding.end) } : undefined,
      });
    });
  return {
    language: 'powershell',
    file,
    os: 'windows',
    text,
    templated,
    scan,
    configDocs,
    invocations: ctx.invocations(),
    placeholderMatches: ctx.placeholderMatches,
    resolveVariable: (name, offset) => ctx.variable(name, offset, 0),
    resolveInput: (name) => ctx.input(name),
  };
}

class PsResolver {
  readonly placeholderMatches: PlaceholderMatch[] = [];
  private readonly assignmentsByName = new Map<string, PsAssignment[]>();
  /** Plain (non-parameter) assignments with a value, per lower-case name, in source order. */
  private readonly plainByName = new Map<string, PsAssignment[]>();
  private readonly callerArgs = new Map<string, ScriptArgument>();
  private readonly mappedCache = new Map<PsValue, MappedText | undefined>();
  private readonly hasCallers: boolean;
  /** Names (lower-case) declared in the script's `param(...)` block, with the offset of their `$`. */
  private readonly declaredParams: Map<string, number>;

  constructor(
    private readonly file: string,
    private readonly text: MappedText,
    private readonly scan: PsScanResult,
    callers: readonly ScriptInvocation[],
    private readonly lookup: TreeFileLookup,
  ) {
    for (const a of scan.assignments) {
      const k = a.name.toLowerCase();
      const list = this.assignmentsByName.get(k) ?? [];
      list.push(a);
      this.assignmentsByName.set(k, list);
      if (!a.isParameterDefault && a.value) {
        const plain = this.plainByName.get(k) ?? [];
        plain.push(a);
        this.plainByName.set(k, plain);
      }
    }
    for (const list of [...this.assignmentsByName.values(), ...this.plainByName.values()]) list.sort((a, b) => a.start - b.start);
    // The first caller that passes a parameter wins; several callers are rare and say so in the chain.
    for (const c of callers) for (const [k, v] of c.named) if (!this.callerArgs.has(k)) this.callerArgs.set(k, v);
    this.hasCallers = callers.length > 0;
    this.declaredParams = declaredParameters(text.text);
  }

  private host(start: number, end: number): Span {
    return this.text.toHost(start, end);
  }

  /** A parameter's value on entry: what a caller passes, else its default; body assignments ignored. */
  input(name: string): ResolvedValue {
    const k = name.toLowerCase();
    const passed = this.callerArgs.get(k);
    const param = (this.assignmentsByName.get(k) ?? []).find((a) => a.isParameterDefault);
    if (passed)
      return withStep(passed.value, { span: passed.span, note: `${baseName(passed.callerFile ?? '?')} passes -${name} to ${baseName(this.file)}` }, name);
    if (param?.value) {
      const v = this.valueOf(param.value, 1);
      return withStep(v, { span: this.host(param.nameStart, param.value.end), note: `${baseName(this.file)} parameter $${param.name} default` }, name);
    }
    return { kind: 'unknown', reason: `$${name} is not a parameter of ${baseName(this.file)} with a default`, chain: [] };
  }

  variable(name: string, offset: number, depth: number): ResolvedValue {
    const k = name.toLowerCase().replace(/^(script|global|local|private):/, '');
    if (k.startsWith('env:')) return this.envVariable(k.slice(4), name, offset, depth);
    const list = this.assignmentsByName.get(k) ?? [];
    const param = list.find((a) => a.isParameterDefault);
    const passed = this.callerArgs.get(k);
    if (passed && (param || this.declaredParams.has(k))) {
      const viaCaller = withStep(
        passed.value,
        { span: passed.span, note: `${baseName(passed.callerFile ?? '?')} passes -${name} to ${baseName(this.file)}` },
        name,
      );
      return param
        ? withStep(viaCaller, { span: this.host(param.nameStart, param.nameEnd), note: `${baseName(this.file)} parameter $${param.name}` }, name)
        : viaCaller;
    }
    if (!passed && !param && this.declaredParams.has(k) && this.hasCallers && !this.plainByName.get(k)?.length) {
      // A declared parameter no caller passes and without a default is $null: "" inside a string.
      return withStep(
        { kind: 'known', text: '', chain: [] },
        {
          span: this.host(this.declaredParams.get(k)!, this.declaredParams.get(k)! + name.length + 1),
          note: `${baseName(this.file)} parameter $${name} is not passed by its caller (empty)`,
        },
        name,
      );
    }
    // The last plain assignment before the use, else the last one in the file (functions defined above).
    const plain = this.plainByName.get(k) ?? [];
    const before = lastBefore(plain, offset) ?? plain[plain.length - 1];
    const chosen = before ?? param;
    if (!chosen) {
      if (passed) return passed.value;
      return { kind: 'unknown', reason: `$${name} is not assigned in ${baseName(this.file)}`, chain: [] };
    }
    if (!chosen.value || depth > MAX_DEPTH) return { kind: 'unknown', reason: `$${name} has no static value`, chain: [] };
    const v = this.valueOf(chosen.value, depth + 1);
    const note = chosen.isParameterDefault ? `${baseName(this.file)} parameter $${chosen.name} default` : `${baseName(this.file)} sets $${chosen.name}`;
    return withStep(v, { span: this.host(chosen.nameStart, chosen.value.end), note }, name);
  }

  private envVariable(envName: string, written: string, offset: number, depth: number): ResolvedValue {
    const assigned = lastBefore(this.assignmentsByName.get(`env:${envName}`) ?? [], offset);
    if (assigned?.value && depth <= MAX_DEPTH) {
      const v = this.valueOf(assigned.value, depth + 1);
      return withStep(v, { span: this.host(assigned.nameStart, assigned.value.end), note: `${baseName(this.file)} sets $${assigned.name}` }, written);
    }
    return { kind: 'unknown', reason: `$${written} comes from the environment at run time`, chain: [] };
  }

  /** Resolves a value position to text + chain. */
  valueOf(v: PsValue, depth: number): ResolvedValue {
    if (v.kind === 'variable') return this.variable(v.name, v.start, depth);
    if (v.kind === 'bareword') return { kind: 'known', text: this.text.text.slice(v.start, v.end), chain: [] };
    const m = this.mappedOf(v, depth);
    if (!m) return { kind: 'unknown', reason: `\`${abbreviate(this.text.text.slice(v.start, v.end))}\` is computed at run time`, chain: [] };
    return valueOfMapped(m);
  }

  /** Resolves a content position to a mapped virtual document. */
  mappedOf(v: PsValue, depth: number): MappedText | undefined {
    if (this.mappedCache.has(v)) return this.mappedCache.get(v);
    const m = this.computeMapped(v, depth);
    this.mappedCache.set(v, m);
    return m;
  }

  private computeMapped(v: PsValue, depth: number): MappedText | undefined {
    if (depth > MAX_DEPTH) return undefined;
    switch (v.kind) {
      case 'string':
        return this.decode(v.literal, depth);
      case 'bareword':
        return new MappedTextBuilder(this.text).copy(v.start, v.end).build();
      case 'variable': {
        const list = this.plainByName.get(v.name.toLowerCase()) ?? [];
        const a = lastBefore(list, v.start) ?? list[list.length - 1];
        if (a?.value) return this.mappedOf(a.value, depth + 1);
        const val = this.variable(v.name, v.start, depth + 1);
        if (val.kind !== 'known') return undefined;
        return new MappedTextBuilder(this.text).emit(val.text, v.start, v.end, val).build();
      }
      case 'read': {
        if (!v.path) return undefined;
        const p = this.valueOf(v.path, depth + 1);
        const pathText = p.kind === 'known' ? p.text : this.text.text.slice(v.path.start, v.path.end);
        return this.lookup.findByScriptPath(pathText)?.text;
      }
      case 'replace': {
        const base = this.mappedOf(v.base, depth + 1);
        if (!base) return undefined;
        return v.ops.reduce<MappedText>((acc, op) => this.applyReplace(acc, op, v.base, depth), base);
      }
      case 'other': {
        // A plain decimal number literal (`$bootstrapExpect = 1`) is its own value: PowerShell prints it the same way
        // when it is expanded in a string ("$bootstrapExpect").
        const literal = this.text.text.slice(v.start, v.end);
        if (/^\d+(\.\d+)?$/.test(literal)) return new MappedTextBuilder(this.text).copy(v.start, v.end).build();
        return this.joinPath(v, depth) ?? this.convertToJson(v, depth);
      }
      default:
        return undefined;
    }
  }

  /** `Join-Path $Dir "config\client.hcl"` / `Join-Path -Path A -ChildPath B [more]`: the parts joined with `\`. */
  private joinPath(v: PsValue, depth: number): MappedText | undefined {
    const cmd = this.scan.commands.find((c) => c.start === v.start && /^join-path$/i.test(c.name));
    if (!cmd) return undefined;
    const named = (n: string) => cmd.parameters.find((p) => p.name.toLowerCase() === n)?.value;
    const parts = [
      named('path') ?? cmd.arguments[0],
      named('childpath') ?? cmd.arguments[named('path') ? 0 : 1],
      ...cmd.arguments.slice(named('path') ? (named('childpath') ? 0 : 1) : 2).filter((a) => a !== named('childpath')),
    ];
    const mapped: MappedText[] = [];
    for (const part of parts) {
      if (!part) continue;
      const m = this.mappedOf(part, depth + 1);
      if (!m) return undefined;
      if (mapped.length > 0 && !/[\\/]$/.test(mapped[mapped.length - 1]!.text) && !/^[\\/]/.test(m.text))
        mapped.push(new MappedTextBuilder(this.text).emit('\\', cmd.nameStart, cmd.nameEnd).build());
      mapped.push(m);
    }
    return mapped.length > 0 ? MappedText.concat(mapped) : undefined;
  }

  /**
   * `(ConvertTo-Json -Depth 100 -Compress "$serviceHome\data")`: a string becomes a JSON string literal (quotes added,
   * `\` and `"` escaped), which is also a valid HCL string. Only strings whose characters Windows PowerShell 5.1 and
   * PowerShell 7 escape alike; arrays and objects stay computed at run time.
   */
  private convertToJson(v: PsValue, depth: number): MappedText | undefined {
    const cmd = this.scan.commands.find((c) => (c.start === v.start || c.start === v.start + 1) && /^convertto-json$/i.test(c.name));
    if (!cmd) return undefined;
    const named = (n: string) => cmd.parameters.find((p) => p.name.toLowerCase() === n)?.value;
    // Switches take no value: a value the scanner attached to one is the input object.
    const input = named('inputobject') ?? cmd.arguments[0] ?? named('compress') ?? named('enumsasstrings') ?? named('asarray');
    if (!input || named('asarray') || cmd.pipelineInput) return undefined;
    if (input.kind !== 'string' && input.kind !== 'variable') return undefined;
    const val = this.valueOf(input, depth + 1);
    if (val.kind !== 'known' || /[^\x20-\x7e]|[<>&']/.test(val.text)) return undefined;
    const json = JSON.stringify(val.text);
    const origin: ResolvedValue = {
      ...val,
      text: json,
      chain: [...val.chain, { span: this.host(cmd.start, cmd.end), note: `${baseName(this.file)} ConvertTo-Json` }],
    };
    return new MappedTextBuilder(this.text).emit(json, v.start, v.end, origin).build();
  }

  private decode(lit: PsStringLiteral, depth: number): MappedText {
    return decodePsString(this.text, lit, (e: PsExpansion) => {
      const written = this.text.text.slice(e.start, e.end);
      // `$($ip)` reads `$ip`: it has that variable's value (a property or a command is computed at run time).
      const sub = e.subexpression ? subexpressionVariable(e.name) : undefined;
      if (e.subexpression && !sub?.plain)
        return { text: written, origin: { kind: 'unknown', reason: `\`${abbreviate(written)}\` is computed at run time`, chain: [] } };
      const val = this.variable(sub ? sub.name : e.name, e.start, depth + 1);
      // Unknown values keep their text and carry the reason: later stages never take them for data.
      return { text: val.kind === 'known' ? val.text : written, origin: val };
    });
  }

  private applyReplace(base: MappedText, op: PsReplaceOp, baseValue: PsValue, depth: number): MappedText {
    if (!op.pattern) return base;
    const pat = this.valueOf(op.pattern, depth + 1);
    if (pat.kind !== 'known' || pat.text === '') return base;
    const rep: ResolvedValue = op.replacement ? this.valueOf(op.replacement, depth + 1) : { kind: 'known', text: '', chain: [] };
    const caseSensitive = op.operator === '-creplace';
    let re: RegExp;
    try {
      re = new RegExp(pat.text, caseSensitive ? 'g' : 'gi');
    } catch {
      return base;
    }
    const opSpan = this.host(op.start, op.end);
    const origin = withStep(rep, { span: opSpan, note: `${baseName(this.file)} ${op.operator} '${pat.text}'` }, pat.text);
    const out = new MappedTextBuilder(base);
    let last = 0;
    for (const m of base.text.matchAll(re)) {
      const at = m.index ?? 0;
      if (m[0].length === 0) continue;
      out.copy(last, at);
      const replacement = rep.kind === 'known' ? rep.text : base.text.slice(at, at + m[0].length);
      out.emit(replacement, at, at + m[0].length, origin);
      last = at + m[0].length;
      const templateFile = base.primaryFile();
      this.placeholderMatches.push({
        operator: op.operator,
        pattern: pat.text,
        caseSensitive,
        matched: m[0],
        matchSpan: base.toHost(at, at + m[0].length),
        opSpan,
        templateFile: this.templateOf(baseValue) ?? templateFile,
      });
    }
    out.copy(last, base.text.length);
    return out.build();
  }

  /** The config template a content value was read from, if any. */
  templateOf(v: PsValue | undefined): string | undefined {
    if (!v) return undefined;
    if (v.kind === 'replace') return this.templateOf(v.base);
    if (v.kind === 'read') {
      const m = this.mappedOf(v, 0);
      return m?.primaryFile();
    }
    if (v.kind === 'variable') {
      const list = this.plainByName.get(v.name.toLowerCase()) ?? [];
      const a = lastBefore(list, v.start) ?? list[list.length - 1];
      return a?.value && a.value !== v ? this.templateOf(a.value) : undefined;
    }
    return undefined;
  }

  invocations(): ScriptInvocation[] {
    const out: ScriptInvocation[] = [];
    for (const c of this.scan.commands) {
      const target = scriptTarget(
        c.name,
        c.arguments.map((a) => this.text.text.slice(a.start, a.end)),
      );
      if (!target) continue;
      const named = new Map<string, ScriptArgument>();
      for (const p of c.parameters) {
        if (!p.value) continue;
        named.set(p.name.toLowerCase(), { value: markIfSecret(this.valueOf(p.value, 0), p.name), span: this.host(p.start, p.end), callerFile: this.file });
      }
      const positional = c.arguments.slice(target.argIndex + 1).map((a) => ({ value: this.valueOf(a, 0), span: this.host(a.start, a.end) }));
      out.push({ callerFile: this.file, scriptBaseName: target.base, scriptPathText: target.path, named, positional, span: this.host(c.start, c.end) });
    }
    return out;
  }
}

/** `& C:\ops\client.ps1 …`, `powershell -File client.ps1 …`, `.\client.ps1 …`. */
function scriptTarget(name: string, args: string[]): { base: string; path: string; argIndex: number } | undefined {
  const clean = (s: string) => stripQuotes(s.trim());
  if (/\.ps1$/i.test(clean(name))) return { base: baseName(clean(name)).toLowerCase(), path: clean(name), argIndex: -1 };
  if (/^(powershell|pwsh)(\.exe)?$/i.test(name) || name === '&' || name === '.') {
    const i = args.findIndex((a) => /\.ps1['"]?$/i.test(a.trim()));
    if (i >= 0) return { base: baseName(clean(args[i]!)).toLowerCase(), path: clean(args[i]!), argIndex: i };
  }
  return undefined;
}

function withStep(v: ResolvedValue, step: ChainStep, name: string): ResolvedValue {
  const secret = looksSecretName(name.replace(/^env:/i, ''));
  const next = { ...v, chain: [...v.chain, step] } as ResolvedValue;
  return secret && next.kind === 'known' ? { ...next, secret: true } : next;
}

function markIfSecret(v: ResolvedValue, name: string): ResolvedValue {
  return looksSecretName(name) && v.kind === 'known' ? { ...v, secret: true } : v;
}

export function stripQuotes(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1);
  return t;
}

function describeWrite(via: string, content: PsValue | undefined): string {
  const what =
    content?.kind === 'string'
      ? content.literal.hereString
        ? 'here-string'
        : 'string'
      : content?.kind === 'replace'
        ? 'template with -replace'
        : content?.kind === 'read'
          ? 'copied template'
          : 'value';
  return `${what} written with ${via}`;
}

const AGENT_KEYS =
  /^\s*(datacenter|data_dir|region|bind_addr|advertise|client|server|acl|tls|consul|vault|retry_join|encrypt|ports|addresses|log_level|server_join|plugin|telemetry|ui_config|connect|enable_syslog|node_name|bootstrap_expect)\b/m;

export function looksLikeAgentConfigText(text: string): boolean {
  let hits = 0;
  const re = new RegExp(AGENT_KEYS.source, 'gm');
  for (const _ of text.matchAll(re)) {
    if (++hits >= 2) return true;
  }
  return false;
}

function abbreviate(s: string): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > 50 ? `${t.slice(0, 47)}...` : t;
}

/** The last item starting before `offset` in a list sorted by start (binary search: scripts with thousands of assignments stay linear). */
function lastBefore<T extends { readonly start: number }>(list: readonly T[], offset: number): T | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1] : undefined;
}

/** The parameters a script's top-level `param(...)` block declares (lower-case name -> offset of `$`), defaults or not. */
function declaredParameters(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const m = /(^|\n)\s*(?:\[[^\]\n]*\]\s*)*param\s*\(/i.exec(text);
  if (!m) return out;
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  for (; i < text.length && depth > 0; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
  }
  const body = text.slice(start, i);
  // A parameter is a `$name` at bracket depth 0 of the block (not inside [ValidateSet(...)] or a default expression's parens).
  let d = 0;
  let afterEquals = false;
  for (let j = 0; j < body.length; j++) {
    const c = body[j]!;
    if (c === '(' || c === '[' || c === '{') d++;
    else if (c === ')' || c === ']' || c === '}') d--;
    else if (c === ',' && d === 0) afterEquals = false;
    else if (c === '=' && d === 0) afterEquals = true;
    else if (c === '$' && d === 0 && !afterEquals) {
      const name = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(body.slice(j))?.[1];
      if (name && !out.has(name.toLowerCase())) out.set(name.toLowerCase(), start + j);
    }
  }
  return out;
}
