/**
 * Follows values through a bash script: positional parameters from callers,
 * assignments with `${X:-default}`, heredocs written to agent config paths,
 * and config templates copied and substituted with `sed -i`.
 */
import { bashBranches } from './bashBranches';
import type { ShAssignment, ShCommand, ShExpansion, ShHeredoc, ShScanResult, ShSed, ShSedCommand, ShWord } from '../parsers/bash/types';
import { decodeHeredocBody, decodeShWord } from '../parsers/bash';
import { MappedText, MappedTextBuilder } from '../text/mappedText';
import type { ChainStep, ResolvedValue } from '../types';
import type { AgentConfigDoc } from '../agent/configDoc';
import { isNotAgentConfigWrite, looksLikeAgentConfigPath } from '../agent/configDoc';
import { baseName, normalizeScriptPath } from '../workspace/fileKinds';
import { looksSecretName } from '../terraform/values';
import type { PlaceholderMatch, ScriptArgument, ScriptInvocation, ShScriptFacts, TreeFileLookup } from './scriptModel';
import { allSeds, runTimeText, valueOfMapped } from './scriptModel';
import { looksLikeAgentConfigText } from './powershellModel';
import type { SedCommandInput } from './sedEdit';
import { runSed, sedMatchesWhole } from './sedEdit';
import type { NestedShell, ShellStringRegion } from './bashNested';
import { MAX_NESTED_DEPTH, nestedShellOf, stdinWriteOf } from './bashNested';

const MAX_DEPTH = 8;

/** A path as written, with unresolved `$x` / `${x}` parts matching any file-name characters. */
function pathPattern(text: string): RegExp {
  const parts = text.split(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/);
  return new RegExp(`^${parts.map((p) => normalizeScriptPath(p).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
}

/**
 * Config files this script writes and then passes, two or more of them, to one command whose output it redirects to
 * another file (`./json_merge base.json tls.json "consul_${type}.json" > consul.json`, `jq -s '.[0] * .[1]' a b > c`):
 * merge inputs, grouped by the output (one merge per output file, whichever branch runs it). An argument with an
 * unresolved variable matches every written file of that shape: those no merge names literally are the variants one
 * machine picks from. Each document keeps its settings; it is marked with the merge it feeds.
 */
function markMergeInputs(file: string, docs: AgentConfigDoc[], scan: ShScanResult, r: ShResolver): void {
  // By output: the merge of one file may be written in several branches (`if tls; then merge a b c > x; else merge a c > x`).
  // Each command is one alternative; `literal` / `variant` give each input's argument index in each alternative.
  const merges = new Map<
    string,
    { output: string; alternatives: number; literal: Map<number, number[]>; variant: Map<number, { arg: string; at: number[] }> }
  >();
  for (const c of scan.commands) {
    const out = c.redirects.find((x) => x.op === '>' || x.op === '>|');
    if (!out || c.name === 'echo' || c.name === 'printf') continue;
    const literal = new Map<number, number>();
    const variant = new Map<number, { arg: string; at: number }>();
    let inputs = 0;
    c.args.forEach((a, j) => {
      const t = r.wordText(a);
      if (t.startsWith('-') || !/\.(json|hcl)$/i.test(t)) return;
      const re = pathPattern(t);
      const withVariable = /\$/.test(t);
      let hit = false;
      docs.forEach((d, i) => {
        if (d.targetPath === undefined || !re.test(normalizeScriptPath(d.targetPath))) return;
        hit = true;
        if (!withVariable) literal.set(i, j);
        else if (!variant.has(i)) variant.set(i, { arg: t, at: j });
      });
      if (hit) inputs++;
    });
    if (inputs < 2) continue;
    const output = r.wordText(out.target);
    const key = normalizeScriptPath(output);
    const m = merges.get(key) ?? { output, alternatives: 0, literal: new Map<number, number[]>(), variant: new Map<number, { arg: string; at: number[] }>() };
    const k = m.alternatives++;
    for (const [i, j] of literal) {
      const at = m.literal.get(i) ?? [];
      at[k] = j;
      m.literal.set(i, at);
    }
    for (const [i, v] of variant) {
      const prev = m.variant.get(i) ?? { arg: v.arg, at: [] };
      prev.at[k] = v.at;
      m.variant.set(i, prev);
    }
    merges.set(key, m);
  }
  for (const [key, m] of merges) {
    const group = `${file}#merge:${key}`;
    // A file some merge names literally is a fixed input, even where another merge's `x_${type}` would match it too:
    // it is merged where it is named, and is not the variable argument's pick anywhere.
    for (const i of new Set([...m.literal.keys(), ...m.variant.keys()])) {
      const fixed = m.literal.get(i);
      const v = fixed ? undefined : m.variant.get(i);
      const at = fixed ?? v!.at;
      const positions = Array.from({ length: m.alternatives }, (_, k) => at[k]);
      docs[i] = {
        ...docs[i]!,
        mergeInput: v === undefined ? { group, output: m.output, positions } : { group, output: m.output, variant: v.arg, positions },
      };
    }
  }
}

export function analyzeBash(
  file: string,
  text: MappedText,
  scan: ShScanResult,
  templated: boolean,
  callers: readonly ScriptInvocation[],
  lookup: TreeFileLookup,
  /** `invocations`: only what this script calls (the first pass); `full`: also the configs it writes. */
  mode: 'invocations' | 'full' = 'full',
  /** Set when this is a script given to a shell as a string (`sudo sh -c '…'`) inside `file`. */
  nested?: NestedContext,
): ShScriptFacts {
  const r = new ShResolver(file, text, scan, callers, nested?.scope);
  const configDocs: AgentConfigDoc[] = [];
  const placeholderMatches: PlaceholderMatch[] = [];
  // Document ids name where they are written: a nested script's ids are those of the command that runs it.
  const idBase = nested?.idBase ?? file;
  const depth = nested?.depth ?? 0;
  const shells = depth < MAX_NESTED_DEPTH ? nestedShells(file, text, scan, r) : [];
  /** Scripts the nested scripts run (`sudo bash -c "/ops/scripts/client.sh \"${x}\""`), with their arguments. */
  const nestedInvocations: ScriptInvocation[] = [];
  const nestedSeds: ShSed[] = [];
  const shellStrings: ShellStringRegion[] = mode === 'full' ? shells.flatMap((n) => n.shell.quoting) : [];
  const nestedContext = (n: (typeof shells)[number], k: number): NestedContext => ({ depth: depth + 1, idBase: `${idBase}#sh${k}`, scope: n.scope });
  if (mode === 'invocations')
    shells.forEach((n, k) => {
      if (!n.stdin)
        nestedInvocations.push(...analyzeBash(file, n.shell.text, n.shell.scan, false, [n.caller], lookup, 'invocations', nestedContext(n, k)).invocations);
    });
  const stdinOf = new Map(shells.flatMap((n) => (n.stdin ? [[n.shell.command, n.stdin] as const] : [])));
  /** `cat <<EOF | sudo sh -c 'cat > f'`: a plain `cat` piped into a nested script that copies its stdin to f. */
  const pipedToNested = (c: ShCommand): StdinWrite | undefined => {
    if (stdinOf.size === 0 || c.name !== 'cat' || c.args.length > 0 || c.redirects.length > 0) return undefined;
    // Commands are sorted by start: the first at or after the end of `cat`.
    let lo = 0;
    let hi = scan.commands.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (scan.commands[mid]!.start < c.end) lo = mid + 1;
      else hi = mid;
    }
    const next = scan.commands[lo];
    const w = next && stdinOf.get(next);
    return w && /^[ \t]*\|[ \t]*$/.test(text.text.slice(c.end, next.start)) ? w : undefined;
  };

  const branchesAt = mode === 'full' && (scan.heredocs.length > 0 || shells.length > 0) ? bashBranches(text.text, scan.heredocs) : () => undefined;
  /** Config files this script writes whole with a heredoc (not `>>`), where (virtual offset) and as which document. */
  const heredocWrites: Array<{ readonly target: string; readonly at: number; readonly doc: AgentConfigDoc }> = [];
  // Computed first: a heredoc read by `C=$(cat <<EOF … EOF)` and echoed to a file is that file's text, not a document of its own.
  const echoed = mode === 'full' ? echoWrites(text, scan, r, stdinOf) : [];
  if (mode === 'full')
    scan.heredocs.forEach((h, i) => {
      if (h.targets.length === 0 && r.readHeredocs.has(h)) return;
      const target = h.targets[0];
      // `sudo bash -c "cat > f" <<EOF`: the heredoc is the standard input of the nested script's `cat`; so it is for
      // `cat <<EOF | sudo sh -c 'cat > f'`.
      const piped = !target && h.command ? (stdinOf.get(h.command) ?? pipedToNested(h.command)) : undefined;
      const targetText = target ? r.wordText(target) : piped?.target;
      const append = piped ? piped.append : h.append;
      const body = decodeHeredocBody(text, h, (e) => r.expand(e, 0));
      const agentLike =
        !isNotAgentConfigWrite(targetText, body.text) &&
        ((targetText !== undefined && looksLikeAgentConfigPath(targetText)) || (targetText !== '/dev/null' && looksLikeAgentConfigText(body.text)));
      if (!agentLike || !h.command) return;
      const doc: AgentConfigDoc = {
        id: `${idBase}#heredoc${i}`,
        hostFile: file,
        os: 'linux',
        osReason: `written by the bash script ${baseName(file)}`,
        targetPath: targetText,
        writeSpan: text.toHost(h.start, h.end),
        via: piped ? `heredoc piped to ${piped.via}` : `heredoc written with ${h.command.name}`,
        text: body,
        format: targetText?.endsWith('.json') ? 'json' : 'hcl',
        templateFile: undefined,
        append,
        encoding: undefined,
        branches: branchesAt(h.start),
      };
      configDocs.push(doc);
      if (targetText !== undefined && !append) heredocWrites.push({ target: normalizeScriptPath(targetText), at: h.start, doc });
    });

  // `echo [-e] "$C" | [sudo] tee [-a] f`, `echo "$C" > f`, `printf '%s\n' "$C" >> f`: a config built in a variable.
  if (mode === 'full')
    echoed.forEach((w, i) => {
      const agentLike = !isNotAgentConfigWrite(w.target, w.body.text) && (looksLikeAgentConfigPath(w.target) || looksLikeAgentConfigText(w.body.text));
      if (!agentLike) return;
      const doc: AgentConfigDoc = {
        id: `${idBase}#echo${i}`,
        hostFile: file,
        os: 'linux',
        osReason: `written by the bash script ${baseName(file)}`,
        targetPath: w.target,
        writeSpan: text.toHost(w.start, w.end),
        via: w.via,
        text: w.body,
        format: w.target.endsWith('.json') ? 'json' : 'hcl',
        templateFile: undefined,
        append: w.append,
        encoding: undefined,
      };
      configDocs.push(doc);
      if (!w.append) heredocWrites.push({ target: normalizeScriptPath(w.target), at: w.start, doc });
    });

  if (mode === 'full' && configDocs.length >= 2) markMergeInputs(idBase, configDocs, scan, r);

  // Config templates copied where the agent reads them and substituted with sed, in script order:
  // `cp tpl /etc/nomad.d/nomad.hcl; sed -i s/X/Y/ /etc/nomad.d/nomad.hcl` and `sed -i … tpl; cp tpl dst` alike.
  interface FileState {
    text: MappedText;
    templateFile: string;
    writeSpan: { start: number; end: number };
    copied: boolean;
    substituted: boolean;
    /** Read from a tree file (the config template itself), not written by this script. */
    fromTree?: boolean;
    /** Copied to another path by `cp`/`install`/`mv` (a staging file, e.g. `sed -i … $CONFIGDIR/x.hcl; cp $CONFIGDIR/x.hcl /etc/x.d`). */
    copiedOut?: boolean;
    /**
     * The config document this state continues: one a called script wrote (`bash client.sh …; sed -i …
     * /etc/nomad.d/nomad.hcl`), or a heredoc of this script (`cat <<EOF > /etc/nomad.d/nomad.hcl … EOF; sed -i …`).
     */
    continues?: AgentConfigDoc;
    /** Where (virtual offset) the last step that made this state is. */
    at?: number;
  }
  const state = new Map<string, FileState>();
  /** The state of a file as a document left it (a heredoc of this script, a called or nested script's write), which an edit then continues. */
  const continuing = (doc: AgentConfigDoc, templateFile: string, at?: number): FileState => ({
    text: doc.text,
    templateFile,
    writeSpan: { start: 0, end: 0 },
    copied: false,
    substituted: false,
    continues: doc,
    ...(at !== undefined ? { at } : {}),
  });
  /** Documents nested scripts (`sudo sh -c '…'`) wrote whole: like this script's heredocs, edited only in place. */
  const nestedWrites = new Set<AgentConfigDoc>();
  const read = (pathText: string, at: number): FileState | undefined => {
    const k = normalizeScriptPath(pathText);
    const known = state.get(k);
    // The last heredoc of this script that wrote the file before `at` (a later one replaces what sed or cp made of it).
    const own = heredocWrites.filter((w) => w.target === k && w.at < at).pop();
    if (known && (!own || own.at < (known.at ?? 0))) return known;
    if (own) return continuing(own.doc, own.doc.text.primaryFile(), own.at);
    // A file a script called earlier wrote: its text, not the tree file of the same base name.
    const w = lookup.findWritten?.(pathText);
    if (w) return continuing(w, w.templateFile ?? w.text.primaryFile());
    const t = lookup.findByScriptPath(pathText);
    return t
      ? { text: t.text, templateFile: t.text.primaryFile(), writeSpan: { start: 0, end: 0 }, copied: false, substituted: false, fromTree: true }
      : undefined;
  };
  type Event = { at: number; apply: () => void };
  const events: Event[] = [];
  for (const sed of scan.seds) {
    events.push({
      at: sed.start,
      apply: () => {
        for (const f of sed.files) {
          const pathText = r.wordText(f);
          const cur0 = read(pathText, sed.start);
          if (!cur0) continue;
          // A heredoc's file is only changed by an in-place edit (`sed 's/…/' f > g` writes another file).
          if (cur0.continues && (heredocWrites.some((w) => w.doc === cur0.continues) || nestedWrites.has(cur0.continues)) && !sed.inPlace) continue;
          const ere = sed.extended === true;
          const program: readonly ShSedCommand[] = sed.program ?? sed.substitutions.map((_, index) => ({ kind: 's' as const, index }));
          const commands: SedCommandInput[] = program.map((c) => {
            if (c.kind !== 's') return c;
            const sub = sed.substitutions[c.index]!;
            const repText = decodeSedReplacement(
              text,
              sub,
              r,
              sed.command?.args.find((a) => a.start <= sub.start && sub.start < a.end),
            );
            const stepped: ResolvedValue = withStep(
              valueOfMapped(repText),
              { span: text.toHost(sub.start, sub.end), note: `${baseName(file)} sed s/${sub.pattern}/…/` },
              sub.pattern,
            );
            const ci = caseInsensitive(sub.flags);
            const delimiter = sub.delimiter ?? '/';
            return {
              kind: 's',
              ...(c.address !== undefined ? { address: c.address } : {}),
              s: {
                pattern: sub.pattern,
                flags: sub.flags,
                delimiter,
                replacement: repText.text,
                origin: stepped,
                onMatch: (matched, line, at, end) =>
                  placeholderMatches.push({
                    operator: 'sed',
                    pattern: sub.pattern,
                    caseSensitive: !ci,
                    ...(ci ? { caseOnly: !sedMatchesWhole(sub.pattern, ere, delimiter, matched) } : {}),
                    matched,
                    matchSpan: line.toHost(at, end),
                    opSpan: text.toHost(sub.start, sub.end),
                    templateFile: cur0.templateFile,
                  }),
              },
            };
          });
          const cur = runSed(cur0.text, { extended: ere, ...(sed.unmodelled ? { unmodelled: sed.unmodelled } : {}), commands });
          state.set(normalizeScriptPath(pathText), {
            ...cur0,
            text: cur,
            substituted: true,
            writeSpan: cur0.copied ? cur0.writeSpan : { start: sed.start, end: sed.end },
            at: sed.start,
          });
        }
      },
    });
  }
  for (const c of scan.commands) {
    if (!['cp', 'install', 'mv'].includes(c.name)) continue;
    events.push({
      at: c.start,
      apply: () => {
        const words = c.args.filter((a) => !r.wordText(a).startsWith('-'));
        if (words.length < 2) return;
        const src = r.wordText(words[0]!);
        const dst = r.wordText(words[words.length - 1]!);
        const from = read(src, c.start);
        if (!from || (!from.substituted && !looksLikeAgentConfigText(from.text.text))) return;
        const target = dst.endsWith('/') || !/\.(hcl|json)$/i.test(dst) ? `${dst.replace(/\/$/, '')}/${baseName(src)}` : dst;
        state.set(normalizeScriptPath(src), { ...from, copied: true, copiedOut: true });
        state.set(normalizeScriptPath(target), {
          ...from,
          copied: true,
          copiedOut: false,
          fromTree: false,
          writeSpan: { start: c.start, end: c.end },
          at: c.start,
        });
      },
    });
  }
  // `sudo sh -c '…'`: the nested script runs where it is called. It sees the files this script wrote before (as they
  // are then), and the files it writes are what a later `sed -i` of this script edits.
  shells.forEach((n, k) => {
    if (n.stdin) return;
    const at = n.shell.command.start;
    events.push({
      at,
      apply: () => {
        const innerLookup: TreeFileLookup = {
          findByScriptPath: (p, from) => lookup.findByScriptPath(p, from),
          findWritten: (p) => writtenBefore(p, at) ?? lookup.findWritten?.(p),
        };
        const facts = analyzeBash(file, n.shell.text, n.shell.scan, false, [n.caller], innerLookup, 'full', nestedContext(n, k));
        placeholderMatches.push(...facts.placeholderMatches);
        nestedInvocations.push(...facts.invocations);
        nestedSeds.push(...allSeds(facts));
        for (const q of facts.shellStrings ?? []) shellStrings.push({ ...q, mode: 'nested' });
        // Run in a `case` arm of this script: the arm's machines write what it writes.
        const outerBranches = branchesAt(at);
        for (const d0 of facts.configDocs) {
          const d = { ...d0, via: `${d0.via} in \`${n.shell.via}\``, ...(outerBranches ? { branches: outerBranches } : {}) };
          configDocs.push(d);
          if (d.targetPath === undefined || d.append) continue;
          const k2 = normalizeScriptPath(d.targetPath);
          state.set(k2, continuing(d, d.templateFile ?? d.text.primaryFile(), at));
          nestedWrites.add(d);
        }
      },
    });
  });
  /** What a file this script wrote holds at `at`, as a document a nested script continues (its id is superseded). */
  const writtenBefore = (pathText: string, at: number): AgentConfigDoc | undefined => {
    const cur = read(pathText, at);
    if (!cur || cur.fromTree) return undefined;
    if (cur.continues) return cur.text === cur.continues.text ? cur.continues : { ...cur.continues, text: cur.text };
    if (!cur.copied && !cur.substituted) return undefined;
    const k = normalizeScriptPath(pathText);
    return templateDoc(file, `${idBase}#tpl-${k}@${at}`, cur.text, cur.templateFile, k, text.toHost(cur.writeSpan.start, cur.writeSpan.end), 'template copied');
  };
  events.sort((a, b) => a.at - b.at);
  if (mode === 'full') for (const e of events) e.apply();
  for (const [target, st] of state) {
    const isDestination = st.writeSpan.end > 0 && (looksLikeAgentConfigPath(target) || /\.(hcl|json)$/i.test(target));
    const isCopiedSource =
      st.copied &&
      state.get(target) === st &&
      ![...state.entries()].some(([k, v]) => k !== target && v.text === st.text && v.writeSpan.start > st.writeSpan.start);
    if (!isDestination || (st.copied && !isCopiedSource && target === normalizeScriptPath(st.templateFile))) continue;
    if (target.endsWith(baseName(st.templateFile).toLowerCase()) && !looksLikeAgentConfigPath(target) && st.copied) continue;
    // The template itself, substituted in place and then copied where the agent reads it: the copy is the config,
    // the staging file is not (unless it already sits in an agent config directory).
    if (st.fromTree && st.copiedOut && !inAgentConfigDir(target)) continue;
    if (st.continues) {
      // A heredoc of this script that writes the file again after the last edit is what the agent reads.
      if (heredocWrites.some((w) => w.target === target && w.at > (st.at ?? 0))) continue;
      const own = heredocWrites.some((w) => w.doc === st.continues);
      configDocs.push({
        ...templateDoc(
          file,
          `${idBase}#tpl-${target}`,
          st.text,
          st.templateFile,
          target,
          text.toHost(st.writeSpan.start, st.writeSpan.end),
          `written by ${baseName(st.continues.hostFile)}, then substituted with sed`,
        ),
        supersedes: st.continues.id,
        // The heredoc's own `case` arms / if-branches are the edited file's too.
        ...(own && st.continues.branches ? { branches: st.continues.branches } : {}),
      });
      continue;
    }
    configDocs.push(
      templateDoc(
        file,
        `${idBase}#tpl-${target}`,
        st.text,
        st.templateFile,
        target,
        text.toHost(st.writeSpan.start, st.writeSpan.end),
        st.substituted ? 'template copied and substituted with sed' : 'template copied',
      ),
    );
  }

  return {
    language: 'bash',
    file,
    os: 'linux',
    text,
    templated,
    scan,
    configDocs,
    // A followed `bash -c "/ops/x.sh"` is the nested script's call of x.sh, not a call of its own.
    invocations: [...r.invocations(new Set(shells.map((n) => n.shell.command))), ...nestedInvocations],
    placeholderMatches,
    ...(nestedSeds.length > 0 ? { nestedSeds } : {}),
    ...(shellStrings.length > 0 ? { shellStrings } : {}),
    resolveVariable: (name, offset) => r.variable(name, offset, 0),
    // A bash script's inputs are its positional parameters and the environment.
    resolveInput: (name) => (/^[1-9]$/.test(name) ? r.variable(name, 0, 0) : { kind: 'unknown', reason: `$${name} comes from the environment`, chain: [] }),
  };
}

/** A script given to a shell as a string inside another (`sudo sh -c '…'`, bashNested.ts). */
interface NestedContext {
  readonly depth: number;
  readonly idBase: string;
  readonly scope: NestedScope;
}

interface NestedScope {
  /** `\`sudo sh -c\` in client.sh`, for reasons and chains. */
  readonly label: string;
  /** A variable the nested script does not set: what the outer shell passes it, else unknown with the reason. */
  environment(name: string): ResolvedValue;
}

/** The nested script of `sudo bash -c "cat > f"`: the file its standard input is copied to. */
interface StdinWrite {
  readonly target: string;
  readonly append: boolean;
  readonly via: string;
}

/** The nested scripts the commands of this script run, each with its scope and, for `cat > f` / `tee f`, its target. */
function nestedShells(
  file: string,
  text: MappedText,
  scan: ShScanResult,
  r: ShResolver,
): Array<{ shell: NestedShell; scope: NestedScope; caller: ScriptInvocation; stdin?: StdinWrite }> {
  const out: Array<{ shell: NestedShell; scope: NestedScope; caller: ScriptInvocation; stdin?: StdinWrite }> = [];
  const outer = { expand: (e: ShExpansion) => r.expandMapped(e, 0), toHost: text.toHost.bind(text) };
  for (const c of scan.commands) {
    if (c.name !== 'su' && !/(^|\/)(sh|bash|dash)$/.test(c.name)) continue;
    const shell = nestedShellOf(text, c, outer);
    if (!shell) continue;
    const scope = nestedScope(file, text, shell, r);
    const caller: ScriptInvocation = {
      callerFile: file,
      scriptBaseName: '',
      scriptPathText: '',
      named: new Map(),
      positional: shell.positional,
      span: text.toHost(c.start, c.end),
    };
    const w = stdinWriteOf(shell);
    const stdin = w && {
      target: new ShResolver(file, shell.text, shell.scan, [caller], scope).wordText(w.target),
      append: w.append,
      via: `${shell.via} '${w.name === 'cat' ? `cat ${w.append ? '>>' : '>'} f` : `tee${w.append ? ' -a' : ''} f`}'`,
    };
    out.push({ shell, scope, caller, ...(stdin ? { stdin } : {}) });
  }
  return out;
}

function nestedScope(file: string, text: MappedText, n: NestedShell, r: ShResolver): NestedScope {
  const env = n.environment;
  const label = `\`${n.via}\` in ${baseName(file)}`;
  return {
    label,
    environment: (name) => {
      const a = env.assignments.filter((x) => x.name === name).pop();
      if (a?.value)
        return withStep(
          valueOfMapped(decodeShWord(text, a.value, (e) => r.expand(e, 0))),
          { span: text.toHost(a.start, a.end), note: `${baseName(file)} passes $${name} to ${n.via}` },
          name,
        );
      if (!a && env.inheritsExports && r.exportedBefore(name, n.command.start)) return r.variable(name, n.command.start, 0);
      const why = env.inheritsExports ? 'the outer variables reach it only when exported' : env.dropReason;
      return { kind: 'unknown', reason: `$${name} is not set in the script run by ${label} (${why})`, chain: [] };
    },
  };
}

interface EchoWrite {
  readonly target: string;
  readonly append: boolean;
  readonly body: MappedText;
  readonly via: string;
  /** The echo/printf command through its redirect or `tee` (virtual offsets). */
  readonly start: number;
  readonly end: number;
}

/**
 * Files written by `echo`/`printf`: with a redirect (`echo "$C" > f`, `>>` appends) or piped to `tee`
 * (`echo -e "$C" | sudo tee [-a] f`). The text is the arguments joined by spaces, as the bash builtins write them:
 * plain `echo` (no xpg_echo) keeps backslashes, `echo -e` reads `\n`, `\t`, `\\`; `-n` drops the newline. `printf`
 * is followed for a format of literal text and `%s` (with `\n`, `\t`, `\\`, `%%`); any other format and an `echo`
 * escape other than those are not followed: no document. `sudo sh -c 'echo … > f'` (a script in a string) is
 * analysed as a script of its own where it runs (bashNested.ts, the events of analyzeBash); `echo "$C" | sudo sh -c
 * 'cat > f'` is followed here, through `stdinOf`.
 */
function echoWrites(text: MappedText, scan: ShScanResult, r: ShResolver, stdinOf: ReadonlyMap<ShCommand, StdinWrite>): EchoWrite[] {
  const out: EchoWrite[] = [];
  const cmds = scan.commands;
  for (let ci = 0; ci < cmds.length; ci++) {
    const c = cmds[ci]!;
    if (c.name !== 'echo' && c.name !== 'printf') continue;
    let targetText: string | undefined;
    let append = false;
    let end = c.end;
    let via: string;
    const redirect = c.redirects.find((x) => x.op === '>' || x.op === '>>' || x.op === '>|');
    if (redirect) {
      targetText = r.wordText(redirect.target);
      append = redirect.op === '>>';
      via = `${c.name} ${redirect.op} file`;
    } else {
      const next = cmds[ci + 1];
      if (!next || !/^[ \t]*\|[ \t]*$/.test(text.text.slice(c.end, next.start))) continue;
      const piped = stdinOf.get(next);
      if (piped) {
        targetText = piped.target;
        append = piped.append;
        via = `${c.name} piped to ${piped.via}`;
      } else {
        if (next.name !== 'tee') continue;
        const opts = next.args.filter((a) => r.wordText(a).startsWith('-'));
        const target = next.args.find((a) => !r.wordText(a).startsWith('-'));
        targetText = target ? r.wordText(target) : undefined;
        append = opts.some((a) => /^-[a-z]*a|^--append$/.test(r.wordText(a)));
        via = `${c.name} piped to ${next.sudo ? 'sudo ' : ''}tee${append ? ' -a' : ''}`;
      }
      end = next.end;
    }
    if (targetText === undefined) continue;
    if (targetText === '/dev/null' || targetText.startsWith('&')) continue;
    const body = c.name === 'echo' ? echoText(text, c, r) : printfText(text, c, r);
    // Nothing of it known (`echo "$(curl …)" > f`): no document rather than one of run-time text.
    if (!body || !body.segments.some((g) => g.origin?.kind !== 'unknown' && /\S/.test(body.text.slice(g.vStart, g.vEnd)))) continue;
    out.push({ target: targetText, append, body, via, start: c.start, end });
  }
  return out;
}

/** A word of an echo/printf as the command receives it; variables keep the mapping of their assignments. */
function argText(text: MappedText, w: ShWord, r: ShResolver): MappedText {
  return decodeShWord(text, w, (e) => r.expandMapped(e, 0));
}

function echoText(text: MappedText, c: ShCommand, r: ShResolver): MappedText | undefined {
  let interpret = false;
  let newline = true;
  let i = 0;
  for (; i < c.args.length; i++) {
    const o = r.wordText(c.args[i]!);
    if (!/^-[neE]+$/.test(o)) break;
    if (o.includes('n')) newline = false;
    for (const f of o.slice(1)) if (f === 'e') interpret = true;
    if (/E[^e]*$/.test(o)) interpret = false;
  }
  const parts: MappedText[] = [];
  let unfollowed = false;
  c.args.slice(i).forEach((w, k) => {
    if (k > 0) parts.push(new MappedTextBuilder(text).emit(' ', w.start - 1, w.start).build());
    const v = argText(text, w, r);
    if (interpret && unfollowedEscape(v.text)) unfollowed = true;
    parts.push(interpret ? backslashEscapes(v) : v);
  });
  if (unfollowed) return undefined;
  if (newline) parts.push(new MappedTextBuilder(text).emit('\n', c.end, c.end).build());
  return MappedText.concat(parts);
}

const ECHO_ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\' };

/** An escape `echo -e` reads that is not followed here (`\c`, `\0nnn`, `\xHH`, `\u…`, `\r`, …). */
function unfollowedEscape(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== '\\') continue;
    const n = t[i + 1] ?? '';
    if (/[abcefrvx0uU]/.test(n)) return true;
    if (n in ECHO_ESCAPES) i++;
  }
  return false;
}

/** `\n`, `\t`, `\\` read as echo -e / printf read them; other escapes stay as written (their pieces map exactly). */
function backslashEscapes(v: MappedText): MappedText {
  const b = new MappedTextBuilder(v);
  const t = v.text;
  let run = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== '\\') continue;
    const e = ECHO_ESCAPES[t[i + 1] ?? ''];
    if (e === undefined) continue;
    b.copy(run, i);
    b.emit(e, i, i + 2);
    i++;
    run = i + 1;
  }
  b.copy(run, t.length);
  return b.build();
}

/** `printf FORMAT ARGS`: a format of literal text and `%s` (reused while arguments remain); other formats: undefined. */
function printfText(text: MappedText, c: ShCommand, r: ShResolver): MappedText | undefined {
  const [fw, ...args] = c.args;
  if (!fw) return undefined;
  const format = argText(text, fw, r);
  if (/\\[^nt\\]/.test(format.text) || /%(?!s|%)/.test(format.text) || format.originsIn(0, format.text.length).length > 0) return undefined;
  const f = backslashEscapes(format);
  const conversions = (f.text.match(/%s/g) ?? []).length;
  const parts: MappedText[] = [];
  let ai = 0;
  do {
    let run = 0;
    const b = new MappedTextBuilder(f);
    for (const m of f.text.matchAll(/%[s%]/g)) {
      b.copy(run, m.index);
      run = m.index + 2;
      if (m[0] === '%%') {
        b.emit('%', m.index, m.index + 2);
        continue;
      }
      const a = args[ai++];
      if (a) b.embed(argText(text, a, r), m.index, m.index + 2);
    }
    b.copy(run, f.text.length);
    parts.push(b.build());
  } while (conversions > 0 && ai < args.length);
  return MappedText.concat(parts);
}

/** `/etc/nomad.d/…`, `/etc/consul.d/…`, `/opt/nomad/config/…`: a directory an agent reads with `-config`. */
function inAgentConfigDir(p: string): boolean {
  return /(^|\/)(nomad|consul)(\.d|\/(config|conf|etc))\//.test(p);
}

function templateDoc(
  file: string,
  id: string,
  text: MappedText,
  templateFile: string,
  target: string,
  writeSpan: AgentConfigDoc['writeSpan'],
  via: string,
): AgentConfigDoc {
  return {
    id,
    hostFile: file,
    os: 'linux',
    osReason: `installed by the bash script ${baseName(file)}`,
    targetPath: target,
    writeSpan,
    via,
    text,
    format: target.endsWith('.json') ? 'json' : 'hcl',
    templateFile,
    append: false,
    encoding: undefined,
  };
}

function decodeSedReplacement(
  text: MappedText,
  sub: ShScanResult['seds'][number]['substitutions'][number],
  r: ShResolver,
  word: ShWord | undefined,
): MappedText {
  // The replacement as the shell passes it to sed: quotes removed (`"s/x/a\\&b/"` gives sed `a\&b`), expansions
  // resolved. sed's own escapes (`\&`, `\1`, `\/`, `\n`, `\U`) are read by runSed (sedEdit.ts) on this text.
  // A replacement without quotes, backslashes or command substitutions reads the same to the shell, expansions aside:
  // the copy below resolves those the same way, without decoding the whole word twice.
  if (word && /[\\"'`]|\$\(/.test(text.text.slice(sub.replacementStart, sub.replacementEnd))) {
    // The script word decoded as the shell does; the replacement's part is found through an identity decode of the
    // same word (same pieces, offsets of `text`), as the decode over `text` maps to the host file.
    const expand = (e: ShExpansion) => r.expand(e, 0);
    const id = decodeShWord(MappedText.identity('', text.text), word, expand);
    const full = decodeShWord(text, word, expand);
    if (id.text === full.text) {
      let from = -1;
      let to = id.text.length;
      for (let v = 0; v < id.text.length; v++) {
        const o = id.hostOffset(v).offset;
        if (from < 0 && o >= sub.replacementStart) from = v;
        if (o >= sub.replacementEnd) {
          to = v;
          break;
        }
      }
      if (from < 0 || from > to) from = to;
      return new MappedTextBuilder(full).copy(from, to).build();
    }
  }
  const b = new MappedTextBuilder(text);
  let pos = sub.replacementStart;
  for (const e of [...sub.expansions].sort((a, z) => a.start - z.start)) {
    if (e.start < pos) continue;
    b.copy(pos, e.start);
    const v = r.expand(e, 0);
    if (v) b.emit(v.text, e.start, e.end, v.origin);
    else b.copy(e.start, e.end);
    pos = e.end;
  }
  b.copy(pos, sub.replacementEnd);
  return b.build();
}

/** GNU sed's `s` command flags `I` and `i` both match case-insensitively (GNU sed manual, "The s Command"). */
function caseInsensitive(flags: string): boolean {
  return /[Ii]/.test(flags);
}

class ShResolver {
  private readonly byName = new Map<string, ShAssignment[]>();
  private readonly positional: readonly ScriptArgument[];

  constructor(
    private readonly file: string,
    private readonly text: MappedText,
    private readonly scan: ShScanResult,
    callers: readonly ScriptInvocation[],
    /** A nested script's (`sudo sh -c '…'`): what it sees of the variables it does not set. */
    private readonly scope?: NestedScope,
  ) {
    for (const a of scan.assignments) {
      const list = this.byName.get(a.name) ?? [];
      list.push(a);
      this.byName.set(a.name, list);
    }
    this.positional = callers[0]?.positional ?? [];
    this.functions = shellFunctions(text.text, scan.heredocs);
  }

  private readonly functions: ReadonlyArray<{ name: string; bodyStart: number; bodyEnd: number }>;

  /**
   * `$1` inside `function installConsul() { … }`: the arguments of the first call of that function in the script
   * (`installConsul ${consul_version}`), not the script's own.
   */
  private functionArgument(n: number, offset: number): ResolvedValue | undefined {
    const fn = this.functions.filter((f) => f.bodyStart <= offset && offset < f.bodyEnd).pop();
    if (!fn) return undefined;
    const call = this.scan.commands.find((c) => c.name === fn.name && !(c.start >= fn.bodyStart && c.start < fn.bodyEnd));
    if (!call) return { kind: 'unknown', reason: `$${n}: ${fn.name}() is never called in ${baseName(this.file)}`, chain: [] };
    const w = call.args[n - 1];
    if (!w) return { kind: 'unknown', reason: `$${n}: ${fn.name} is called without a ${n}. argument`, chain: [] };
    const v = valueOfMapped(decodeShWord(this.text, w, (e) => this.expand(e, 1)));
    return withStep(v, { span: this.text.toHost(w.start, w.end), note: `passed as $${n} to ${fn.name}() in ${baseName(this.file)}` }, String(n));
  }

  private readonly wordTexts = new Map<ShWord, string>();

  /** A word as the shell passes it (expansions resolved); asked several times per word (cp/sed/heredoc targets). */
  wordText(w: ShWord): string {
    let t = this.wordTexts.get(w);
    if (t === undefined) this.wordTexts.set(w, (t = decodeShWord(this.text, w, (e) => this.expand(e, 0)).text));
    return t;
  }

  /** The value of an expansion; unknown values keep their text and carry the reason, so no stage mistakes them for data. */
  expand(e: ShExpansion, depth: number): { text: string; origin?: ResolvedValue } | undefined {
    const written = this.text.text.slice(e.start, e.end);
    // `${name}` left as written by the Terraform template render (its value is unknown there, e.g. a resource
    // attribute known only after apply): the template's reason, not a shell variable of the same name.
    const rendered = this.text.isExactAt(e.start) ? undefined : this.text.originsIn(e.start, e.start + 1)[0];
    if (rendered?.kind === 'unknown') return { text: written, origin: rendered };
    if (e.command) return { text: runTimeText(written), origin: { kind: 'unknown', reason: `\`${abbreviate(written)}\` is computed at run time`, chain: [] } };
    const v = this.variable(e.name, e.start, depth + 1);
    if (v.kind === 'known') return { text: v.text, origin: v };
    if (e.defaultValue !== undefined)
      return {
        text: e.defaultValue,
        origin: {
          kind: 'known',
          text: e.defaultValue,
          chain: [{ span: this.text.toHost(e.start, e.end), note: `${baseName(this.file)} default for $${e.name}` }],
        },
      };
    return { text: written, origin: v };
  }

  /** Heredocs `expandMapped` read as the value of `$(cat <<EOF … EOF)`. */
  readonly readHeredocs = new Set<ShHeredoc>();

  /**
   * An expansion as a virtual document: a variable set in this script maps to the characters of its assignment (and,
   * through `C=$C'…'`, of the earlier ones); anything else is `expand`'s value standing for the expansion.
   */
  expandMapped(e: ShExpansion, depth: number, before = e.start): { text: string; origin?: ResolvedValue; mapped?: MappedText } | undefined {
    if (e.command && this.text.isExactAt(e.start)) {
      // `$(cat <<EOF … EOF)`: the heredoc's body, trailing newlines removed as command substitution removes them.
      const h = this.scan.heredocs.find((x) => x.start > e.start && x.bodyEnd < e.end && x.command?.name === 'cat' && x.targets.length === 0);
      const t = this.text.text;
      if (h && /^\$\([ \t]*cat[ \t]+$/.test(t.slice(e.start, h.start)) && /^[^\n]*\n?[ \t]*\)$/.test(t.slice(h.bodyEnd, e.end)) && h.terminated !== false) {
        this.readHeredocs.add(h);
        const body = decodeHeredocBody(this.text, h, (x) => this.expandMapped(x, depth + 1));
        const keep = body.text.replace(/\n+$/, '').length;
        const mapped = new MappedTextBuilder(body).copy(0, keep).build();
        return { text: mapped.text, mapped };
      }
    }
    const plain = !e.command && !e.template && !e.arithmetic && e.defaultValue === undefined && !/^[0-9]$/.test(e.name);
    const a = plain && depth <= MAX_DEPTH ? (this.byName.get(e.name) ?? []).filter((x) => x.start < before).pop() : undefined;
    if (!a?.value || !this.text.isExactAt(e.start)) return this.expand(e, depth);
    const v = a.value;
    // `C=$C'…'`: the `$C` of an assignment is the value set before it.
    const own = decodeShWord(this.text, v, (x) => (x.start >= v.start ? this.expandMapped(x, depth + 1, a.start) : undefined));
    // `C+='…'`: appended to the value set before it.
    const earlier = (b: MappedTextBuilder): void => {
      const p = this.expandMapped(e, depth + 1, a.start);
      if (p?.mapped) b.embed(p.mapped, a.nameStart, a.nameEnd);
      else if (p) b.emit(p.text, a.nameStart, a.nameEnd, p.origin);
    };
    const mapped = a.append ? MappedText.concat([this.appendedTo(a, earlier), own]) : own;
    return { text: mapped.text, mapped };
  }

  /** What `X+=…` appends to: the value X was set to before (`fill`), else unknown with the reason. */
  private appendedTo(a: ShAssignment, fill: (b: MappedTextBuilder) => void): MappedText {
    const b = new MappedTextBuilder(this.text);
    if ((this.byName.get(a.name) ?? []).some((x) => x.start < a.start && x.value)) fill(b);
    else
      b.emit(`$${a.name}`, a.nameStart, a.nameEnd, {
        kind: 'unknown',
        reason: `$${a.name} is not set before \`${a.name}+=\` in ${baseName(this.file)}`,
        chain: [],
      });
    return b.build();
  }

  variable(name: string, offset: number, depth: number): ResolvedValue {
    if (/^[1-9]$/.test(name)) {
      const inFunction = this.functionArgument(Number(name), offset);
      if (inFunction) return inFunction;
      const arg = this.positional[Number(name) - 1];
      if (arg) return withStep(arg.value, { span: arg.span, note: `passed as $${name} to ${this.scope?.label ?? baseName(this.file)}` }, name);
      if (this.scope) return { kind: 'unknown', reason: `$${name}: no argument is passed to ${this.scope.label}`, chain: [] };
      return { kind: 'unknown', reason: `$${name}: no caller of ${baseName(this.file)} was found in the tree`, chain: [] };
    }
    const list = this.byName.get(name) ?? [];
    if (list.length === 0 && this.scope) return this.scope.environment(name);
    const a = list.filter((x) => x.start < offset).pop() ?? list[list.length - 1];
    if (!a?.value || depth > MAX_DEPTH) return { kind: 'unknown', reason: `$${name} is not set in ${baseName(this.file)}`, chain: [] };
    const own = decodeShWord(this.text, a.value, (e) => (e.start >= a.value!.start ? this.expand(e, depth + 1) : undefined));
    const m = a.append
      ? MappedText.concat([
          this.appendedTo(a, (b) => {
            const prev = this.variable(name, a.start, depth + 1);
            b.emit(prev.kind === 'known' ? prev.text : `$${name}`, a.nameStart, a.nameEnd, prev);
          }),
          own,
        ])
      : own;
    return withStep(valueOfMapped(m), { span: this.text.toHost(a.nameStart, a.end), note: `${baseName(this.file)} sets $${name}` }, name);
  }

  /** Whether `name` is exported before `at` (`export X=…`, `declare -x X`; once exported it stays so). */
  exportedBefore(name: string, at: number): boolean {
    return (this.byName.get(name) ?? []).some((a) => a.exported && a.start < at);
  }

  invocations(nestedShells: ReadonlySet<ShCommand> = new Set()): ScriptInvocation[] {
    const out: ScriptInvocation[] = [];
    for (const c of this.scan.commands) {
      if (nestedShells.has(c)) continue;
      let idx = -1;
      if (/\.sh$/.test(c.name)) idx = -1;
      else if (['bash', 'sh', 'source', '.'].includes(c.name)) idx = c.args.findIndex((a) => /\.sh['"]?$/.test(a.raw));
      else continue;
      if (idx < 0 && !/\.sh$/.test(c.name)) continue;
      const scriptPath = idx < 0 ? c.name : this.wordText(c.args[idx]!);
      const positional = c.args
        .slice(idx + 1)
        .map((w) => ({ value: valueOfMapped(decodeShWord(this.text, w, (e) => this.expand(e, 0))), span: this.text.toHost(w.start, w.end) }));
      out.push({
        callerFile: this.file,
        scriptBaseName: baseName(scriptPath).toLowerCase(),
        scriptPathText: scriptPath,
        named: new Map(),
        positional,
        span: this.text.toHost(c.start, c.end),
      });
    }
    return out;
  }
}

/**
 * Shell functions of a script: `name() {` / `function name() {` / `function name {` on a line of its own, the body
 * ending at the first later line that is only `}` at the same indentation (the usual layout; nested functions and
 * one-line bodies are not recognised, and then `$1` stays the script's argument).
 */
export function shellFunctions(
  text: string,
  /** Heredoc bodies: their lines (a config's closing `}`) are data, not the end of a function. */
  heredocs: ReadonlyArray<{ readonly bodyStart: number; readonly bodyEnd: number }> = [],
): Array<{ name: string; bodyStart: number; bodyEnd: number }> {
  const out: Array<{ name: string; bodyStart: number; bodyEnd: number }> = [];
  const inHeredoc = (o: number) => heredocs.some((h) => h.bodyStart <= o && o < h.bodyEnd);
  const re = /^([ \t]*)(?:function[ \t]+([A-Za-z_][\w-]*)[ \t]*(?:\([ \t]*\))?|([A-Za-z_][\w-]*)[ \t]*\([ \t]*\))[ \t]*\{[ \t]*$/gm;
  for (const m of text.matchAll(re)) {
    if (inHeredoc(m.index)) continue;
    const indent = m[1]!;
    const bodyStart = m.index + m[0].length;
    const close = new RegExp(`^${indent}\\}[ \\t]*(?:#.*)?$`, 'gm');
    close.lastIndex = bodyStart;
    let c = close.exec(text);
    while (c && inHeredoc(c.index)) c = close.exec(text);
    if (!c) continue;
    out.push({ name: (m[2] ?? m[3])!, bodyStart, bodyEnd: c.index });
  }
  return out;
}

function withStep(v: ResolvedValue, step: ChainStep, name: string): ResolvedValue {
  const next = { ...v, chain: [...v.chain, step] } as ResolvedValue;
  return looksSecretName(name) && next.kind === 'known' ? { ...next, secret: true } : next;
}

function abbreviate(s: string): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > 50 ? `${t.slice(0, 47)}...` : t;
}
