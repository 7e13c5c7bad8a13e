/**
 * Follows values through a PowerShell script: parameters (defaults or the
 * arguments a caller passes), assignments, here-strings with their
 * expansions, `-replace` chains on config templates, and the file writes
 * that produce agent configs.
 */
import type {
  PsAssignment,
  PsCommand,
  PsExpansion,
  PsFileWrite,
  PsFunction,
  PsFunctionParam,
  PsNode,
  PsReplaceOp,
  PsScanResult,
  PsStringLiteral,
  PsValue,
} from '../parsers/powershell/types';
import { countBefore, decodePsString, resumedFrom, subexpressionVariable } from '../parsers/powershell';
import { MappedText, MappedTextBuilder } from '../text/mappedText';
import type { ChainStep, ResolvedValue, Span } from '../types';
import type { AgentConfigDoc } from '../agent/configDoc';
import { isNotAgentConfigWrite, looksLikeAgentConfigPath } from '../agent/configDoc';
import { baseName, normalizeScriptPath } from '../workspace/fileKinds';
import { looksSecretName } from '../terraform/values';
import type { PlaceholderMatch, PsScriptFacts, ScriptArgument, ScriptInvocation, TreeFileLookup } from './scriptModel';
import { runTimeText, valueOfMapped } from './scriptModel';

/**
 * How deep value following may nest (a guard against cycles, not a cost bound: mappedOf caches every value node per
 * frame, so each is computed once). Each `$c = $c -replace …` line of an in-place edit adds about two levels (the
 * variable, then the replace's base), and real scripts fill one placeholder per line: with 8, a chain of four such
 * lines lost the template (it was read raw, placeholders and all, and the write of the edited config vanished).
 */
const MAX_DEPTH = 64;
/**
 * The longest value followed (characters). With deep chains allowed, a value can grow geometrically with the script's
 * length (`$d2 = "$d1$d1"`, `$c = $c -replace 'a', 'aa'`, one line each): past this it is unknown. Agent configs and
 * the templates they come from are a few KiB.
 */
const MAX_VALUE_CHARS = 512 * 1024;
/** Nested calls of the script's own functions that are followed (`Write-Config` calling `Replace-Token`). */
const MAX_CALL_DEPTH = 4;
/** Writes evaluated per script, counting every call of a function that writes (a bound on generated loops). */
const MAX_WRITE_INSTANCES = 2000;
const NO_COMMANDS: readonly PsCommand[] = [];

export function analyzePowerShell(
  file: string,
  text: MappedText,
  scan: PsScanResult,
  templated: boolean,
  callers: readonly ScriptInvocation[],
  lookup: TreeFileLookup,
  /** `invocations`: only what this script calls (the first pass); `full`: also the configs it writes. */
  mode: 'invocations' | 'full' = 'full',
  /**
   * The previous analysis of this script (the same file and mode) made with the same inputs besides the text: the
   * same callers' arguments, looked-up files and written documents (the caller compares the analysis keys). Writes
   * whose result provably did not change are taken from it instead of being computed again (see WriteRecord).
   */
  previous?: PsScriptFacts,
): PsScriptFacts {
  const ctx = new PsResolver(file, text, scan, callers, lookup);
  const configDocs: AgentConfigDoc[] = [];
  let records: WriteRecord[] | undefined;
  let reused = 0;
  if (mode === 'full') {
    // Writes in execution order: a function's writes once per call, with that call's arguments.
    const docOf = new Map<WriteInstance, AgentConfigDoc>();
    const superseded = new Set<AgentConfigDoc>();
    const repeated = new Set<string>();
    const writeDoc = (inst: WriteInstance): { doc?: AgentConfigDoc; repeated?: string } => {
      const { write: w, frame } = inst;
      ctx.touchInstance(inst);
      const target = w.path ? ctx.valueOf(w.path, 0, frame) : undefined;
      const targetText = target?.kind === 'known' ? target.text : w.path ? text.text.slice(w.path.start, w.path.end) : undefined;
      const read = w.content ? ctx.collect(() => ctx.mappedOf(w.content!, 0, frame)) : undefined;
      const content = read?.value;
      if (!content) return {};
      const agentLike =
        !isNotAgentConfigWrite(targetText, content.text) &&
        ((targetText !== undefined && looksLikeAgentConfigPath(stripQuotes(targetText))) || looksLikeAgentConfigText(content.text));
      if (!agentLike) return {};
      // A function without parameters called twice writes the same document twice: keep one.
      const same = frame ? `${inst.index}\u0000${targetText ?? ''}\u0000${content.text}` : '';
      if (frame && repeated.has(same)) return {};
      if (frame) repeated.add(same);
      // An in-place edit (`(Get-Content X) -replace … | Set-Content X`) continues the earlier write of X: only the
      // last state is the agent's config. A write of another path keeps the file it read.
      const here = ctx.targetOf(inst);
      let continues: AgentConfigDoc | undefined;
      for (const src of read.sources) {
        if (!here || src.path !== here.norm) continue;
        const prior = src.kind === 'instance' ? docOf.get(src.instance) : src.doc;
        if (!prior) continue;
        if (src.kind === 'instance') superseded.add(prior);
        if (!continues || src.kind === 'written') continues = prior;
      }
      const format = targetText && /\.json['"]?$/i.test(targetText.trim()) ? 'json' : 'hcl';
      const doc: AgentConfigDoc = {
        id: `${file}#write${inst.index}${frame ? frame.id : ''}`,
        hostFile: file,
        os: 'windows',
        osReason: `written by the PowerShell script ${baseName(file)}`,
        targetPath: targetText ? stripQuotes(targetText) : undefined,
        writeSpan: text.toHost(w.start, w.end),
        via: describeWrite(w.via, w.content, continues !== undefined, frame?.fn.name),
        text: content,
        format,
        templateFile: ctx.templateOf(w.content, frame),
        append: w.append,
        encoding: w.encoding ? { text: w.encoding.text, span: text.toHost(w.encoding.start, w.encoding.end) } : undefined,
      };
      // The script's own earlier write is dropped below; a called script's document is dropped by the model.
      const supersedes = continues ? (superseded.has(continues) ? (continues.supersedes ?? continues.id) : continues.id) : undefined;
      return { doc: supersedes ? { ...doc, supersedes } : doc, repeated: frame ? same : undefined };
    };
    const reuse = templated ? undefined : reusableRecords(file, scan, previous);
    // The records of this analysis: one per write instance of the execution order's reusable prefix (see WriteRecord).
    records = [];
    // A template render is scanned whole on every change (never resumed): nothing would replay its records.
    let recording = !templated;
    let replaying = reuse !== undefined;
    const instances = ctx.writeInstances();
    for (let i = 0; i < instances.length; i++) {
      const inst = instances[i]!;
      if (replaying) {
        // Only a prefix of the execution order is replayed: the state the resolver has after it (memo tables,
        // placeholder matches, the documents written so far) is then the state a full computation would have,
        // so the writes after it compute what they would have computed. A write that cannot be replayed ends it.
        const rec = reuse!.records[i];
        if (rec !== undefined && replayable(rec, reuse!.from, reuse!.assignedAfter) && sameInstance(rec, inst)) {
          ctx.replay(rec, inst);
          if (rec.repeated !== undefined) repeated.add(rec.repeated);
          if (rec.doc) {
            docOf.set(inst, rec.doc);
            configDocs.push(rec.doc);
          }
          records.push(rec);
          reused++;
          continue;
        }
        replaying = false;
      }
      ctx.startRecord(recording);
      const out = writeDoc(inst);
      if (out.doc) {
        docOf.set(inst, out.doc);
        configDocs.push(out.doc);
      }
      if (recording) {
        const rec = ctx.finishRecord(inst, out.doc, out.repeated);
        // After a write that can never be replayed no later one can be (the replayed writes are a prefix).
        if (rec) records.push(rec);
        else recording = false;
      }
    }
    if (superseded.size > 0) configDocs.splice(0, configDocs.length, ...configDocs.filter((d) => !superseded.has(d)));
  }
  const invocations = ctx.invocations();
  // The facts outlive this analysis (until the script changes); the resolver's memo tables are only needed while
  // the documents are built. Keeping them would keep every intermediate mapped text of the script alive, which on a
  // large script is most of what each keystroke allocates and the garbage collector then has to copy.
  ctx.releaseMemos();
  const facts: PsScriptFacts = {
    language: 'powershell',
    file,
    os: 'windows',
    text,
    templated,
    scan,
    configDocs,
    invocations,
    placeholderMatches: ctx.placeholderMatches,
    resolveVariable: (name, offset) => ctx.variable(name, offset, 0),
    resolveInput: (name) => ctx.input(name),
  };
  if (records !== undefined && records.length > 0) writeRecords.set(facts, { records, reused });
  return facts;
}

/**
 * What the processing of one write instance in the write loop of `analyzePowerShell` did, so that the next analysis
 * of the script (after a keystroke) can replay it instead of computing it again.
 *
 * Invariants that make a replay exact:
 * - `reach` is the largest end offset of any scan node or text the processing consulted: the write, the calls and
 *   functions of its frame chain, every value node evaluated, every assignment, parameter default, command and
 *   `param(...)` block chosen, including what the memo hits it used consulted when they were computed (CacheEntry.reach).
 *   A read of a file (an earlier write of the script, a called script's document, a tree file: what other files hold
 *   or every write's target), a depth cut-off, a value cut for its size, or a `param(...)` search that found no block
 *   make it Infinity: never replayed.
 * - `absent` names the variables whose answer relied on there being no (further) assignment of them: the last
 *   assignment in the file when none precedes a use, no parameter default found, no plain assignment of a declared
 *   parameter. Such a record is replayed only if the rescanned part assigns none of them (`replayable`).
 * - A rescan that restarted at `from` keeps every node that starts before `from` (the same object, ending at or
 *   before it) and the text agrees up to `from`: with `reach < from` the processing would consult the same nodes and
 *   texts and compute the same result, given the same resolver state before it.
 * - Only a prefix of the execution order is replayed, and each replayed record sits at the same position of the old
 *   and the new execution order for the same write in the same chain of calls: the state before each replayed write is
 *   the state the previous analysis had there. Replaying restores what the processing left in that state: the memo
 *   entries it created (`entries`, by frame level), the placeholder matches it recorded, the target it resolved, the
 *   repeated-document key it added and the document it wrote.
 */
interface WriteRecord {
  readonly write: PsFileWrite;
  /** Index in `scan.fileWrites` (the document id holds it). */
  readonly index: number;
  /** The frame chain: the calls, outermost first, and the functions they ran. Empty for a top-level write. */
  readonly calls: readonly PsCommand[];
  readonly fns: readonly PsFunction[];
  readonly reach: number;
  /** Names of which the processing relied on there being no further assignment (PsResolver.absentName). */
  readonly absent: readonly string[];
  readonly doc: AgentConfigDoc | undefined;
  readonly repeated: string | undefined;
  /** The target resolved during the processing (null: not resolved then). */
  readonly target: { norm: string; known: boolean } | undefined | null;
  readonly matches: readonly PlaceholderMatch[];
  /** The memo entries created during the processing; level 0 is the top-level table, n the frame at call depth n. */
  readonly entries: ReadonlyArray<{ readonly level: number; readonly value: PsValue; readonly entry: CacheEntry }>;
}

/**
 * The records of an analysis, as a hidden property of its facts rather than in a WeakMap: they hold the memo entries
 * of the writes, which must die with the facts (a WeakMap value outlives its key until a full collection, and a
 * script analysed and dropped at once, as the second and third passes do, would keep them into the old generation).
 */
const RECORDS = Symbol('writeRecords');
type Records = { readonly records: readonly WriteRecord[]; readonly reused: number };
const writeRecords = {
  get: (facts: object): Records | undefined => (facts as { [RECORDS]?: Records })[RECORDS],
  // Not enumerable: copies of the facts (`{ ...facts }`) and comparisons of them do not see it.
  set: (facts: object, records: Records): void => void Object.defineProperty(facts, RECORDS, { value: records, enumerable: false }),
};

/** How many writes the analysis took from the previous one (tests and measurements). */
export function reusedWriteCount(facts: object): number {
  return writeRecords.get(facts)?.reused ?? 0;
}

/**
 * Hands the write records of `from` to `to`, a copy of the same facts with some documents replaced by equal earlier
 * objects (`keepUnchangedDocs`): the records then give those objects too, so the next analysis returns them as is.
 */
export function carryWriteRecords(from: object, to: object): void {
  if (from === to) return;
  const own = writeRecords.get(from);
  if (!own) return;
  const fromDocs = (from as PsScriptFacts).configDocs;
  const toDocs = (to as PsScriptFacts).configDocs;
  if (fromDocs.length !== toDocs.length) return;
  const kept = new Map<AgentConfigDoc, AgentConfigDoc>();
  fromDocs.forEach((d, i) => {
    if (toDocs[i] !== d && toDocs[i]!.id === d.id) kept.set(d, toDocs[i]!);
  });
  const records = kept.size === 0 ? own.records : own.records.map((r) => (r.doc && kept.has(r.doc) ? { ...r, doc: kept.get(r.doc) } : r));
  writeRecords.set(to, { records, reused: own.reused });
}

/**
 * The previous analysis's records and the offset before which they may be replayed, when `scan` was resumed from
 * the scan of `previous` (so that the nodes before the restart are the ones its records name).
 */
function reusableRecords(
  file: string,
  scan: PsScanResult,
  previous: PsScriptFacts | undefined,
): { readonly records: readonly WriteRecord[]; readonly from: number; readonly assignedAfter: ReadonlySet<string> } | undefined {
  if (!previous || previous.file !== file || previous.templated) return undefined;
  const resumed = resumedFrom(scan);
  if (!resumed || !resumed.resumes(previous.scan)) return undefined;
  const own = writeRecords.get(previous);
  if (!own) return undefined;
  return { records: own.records, from: resumed.from, assignedAfter: assignedFrom(scan, resumed.from) };
}

/** The names (index keys) of the assignments that start at or after `from`. */
function assignedFrom(scan: PsScanResult, from: number): Set<string> {
  const out = new Set<string>();
  const list = scan.assignments;
  for (let i = countBefore(list, from); i < list.length; i++) out.add(list[i]!.name.toLowerCase());
  return out;
}

/**
 * Whether a record may be replayed: it consulted nothing at or after the restart, and no name it found no (further)
 * assignment of is assigned there now. (Before the restart the scans agree; in the old scan's part after it there was
 * none either, or the lookup would have chosen that one and `reach` would say so.)
 */
function replayable(rec: WriteRecord, from: number, assignedAfter: ReadonlySet<string>): boolean {
  if (!(rec.reach < from)) return false;
  for (const k of rec.absent) if (assignedAfter.has(k)) return false;
  return true;
}

/** Whether a record is for this write in the same chain of calls (the same call and function objects). */
function sameInstance(rec: WriteRecord, inst: WriteInstance): boolean {
  if (rec.write !== inst.write || rec.index !== inst.index) return false;
  let f = inst.frame;
  for (let i = rec.calls.length - 1; i >= 0; i--) {
    if (!f || f.call !== rec.calls[i] || f.fn !== rec.fns[i]) return false;
    f = f.parent;
  }
  return f === undefined;
}

/** One call of a function of the script, with the arguments bound to its parameters. */
interface Frame {
  readonly fn: PsFunction;
  readonly call: PsCommand;
  readonly parent: Frame | undefined;
  readonly level: number;
  /** The call passes splatted arguments (`@params`): a parameter without an argument is unknown, not empty. */
  readonly splatted: boolean;
  /** Lower-case parameter name -> the parameter and the argument the call passes (if any). */
  readonly params: ReadonlyMap<string, { readonly param: PsFunctionParam; readonly arg: PsValue | undefined }>;
  /** Offsets of the calls, outermost first: where this call sits in the script's execution order. */
  readonly key: readonly number[];
  /** Appended to the ids of the documents written during this call (`@<call offset>` per level). */
  readonly id: string;
  readonly cache: Map<PsValue, CacheEntry>;
}

/** A file write as executed: a top-level write once, a write inside a function once per call of the function. */
interface WriteInstance {
  readonly write: PsFileWrite;
  /** Index in `scan.fileWrites`. */
  readonly index: number;
  readonly frame: Frame | undefined;
  /** Execution order: the offsets of the enclosing calls, then the end of the write. */
  readonly key: readonly number[];
}

/** What a read of a file resolved to besides a tree file: an earlier write of this script, or a document a called script wrote. */
type ReadSource =
  | { readonly kind: 'instance'; readonly instance: WriteInstance; readonly path: string }
  | { readonly kind: 'written'; readonly doc: AgentConfigDoc; readonly path: string };

interface CacheEntry {
  readonly value: MappedText | undefined;
  /** The earlier writes / written documents the value reads (not what those writes read in turn). */
  readonly sources: ReadonlySet<ReadSource>;
  /** For a read: what it read. */
  readonly direct?: ReadSource;
  /** The value is unknown because it, or a value it is made of, grew past MAX_VALUE_CHARS. */
  readonly oversized?: true;
  /** The largest end offset of what computing the value consulted (WriteRecord.reach), Infinity when anything may matter. */
  readonly reach: number;
  /** The names whose absence computing the value relied on (absentName). */
  readonly absent: readonly string[] | undefined;
}

/**
 * What the resolver looks values up in, derived from the scan alone: assignments by name, commands by offset and the
 * script's declared parameters. A scan is shared by every analysis of the same text (the first pass, the full pass,
 * other callers), so these are built once per scan rather than once per resolver. Read-only once built.
 */
interface ScanIndex {
  /** Every assignment per lower-case name, in source order. */
  readonly assignmentsByName: ReadonlyMap<string, readonly PsAssignment[]>;
  /** Plain (non-parameter) assignments with a value, per lower-case name, in source order. */
  readonly plainByName: ReadonlyMap<string, readonly PsAssignment[]>;
  /** Names (lower-case) declared in the script's `param(...)` block, with the offset of their `$`. */
  readonly declaredParams: ReadonlyMap<string, number>;
  /** Where the text of the `param(...)` block `declaredParams` comes from ends (Infinity without one: all the text was searched). */
  readonly declaredParamsEnd: number;
  commandsAt(offset: number): readonly PsCommand[];
}

const scanIndexes = new WeakMap<PsScanResult, ScanIndex>();

function scanIndex(scan: PsScanResult, text: string): ScanIndex {
  const hit = scanIndexes.get(scan);
  if (hit) return hit;
  const assignmentsByName = new Map<string, PsAssignment[]>();
  const plainByName = new Map<string, PsAssignment[]>();
  for (const a of scan.assignments) {
    const k = a.name.toLowerCase();
    const list = assignmentsByName.get(k);
    if (list) list.push(a);
    else assignmentsByName.set(k, [a]);
    if (!a.isParameterDefault && a.value) {
      const plain = plainByName.get(k);
      if (plain) plain.push(a);
      else plainByName.set(k, [a]);
    }
  }
  for (const list of assignmentsByName.values()) list.sort((a, b) => a.start - b.start);
  for (const list of plainByName.values()) list.sort((a, b) => a.start - b.start);
  let commandsByStart: Map<number, PsCommand[]> | undefined;
  const declared = declaredParameters(text);
  const index: ScanIndex = {
    assignmentsByName,
    plainByName,
    declaredParams: declared.params,
    declaredParamsEnd: declared.end,
    commandsAt(offset) {
      if (commandsByStart === undefined) {
        commandsByStart = new Map();
        for (const c of scan.commands) {
          const list = commandsByStart.get(c.start);
          if (list) list.push(c);
          else commandsByStart.set(c.start, [c]);
        }
      }
      return commandsByStart.get(offset) ?? NO_COMMANDS;
    },
  };
  scanIndexes.set(scan, index);
  return index;
}

class PsResolver {
  readonly placeholderMatches: PlaceholderMatch[] = [];
  private readonly callerArgs = new Map<string, ScriptArgument>();
  private readonly mappedCache = new Map<PsValue, CacheEntry>();
  /** How many values were cut by MAX_VALUE_CHARS so far (computed or met again in a cache): tells which unknowns it caused. */
  private oversizedSeen = 0;
  private readonly hasCallers: boolean;
  /** Assignments by name, commands by offset, the declared parameters: shared by every resolver of the scan. */
  private readonly index: ScanIndex;
  /** The sources of the values being computed, innermost last. */
  private readonly collecting: Array<Set<ReadSource>> = [];
  private instances: WriteInstance[] | undefined;
  private byTarget: Map<string, number[]> | undefined;
  private readonly targets = new Map<WriteInstance, { norm: string; known: boolean } | undefined | 'pending'>();
  /**
   * The largest end offset of the scan nodes and text the current computation consulted (WriteRecord.reach):
   * Infinity when its answer may depend on any part of the script. Each memo entry keeps its own, and a hit adds it.
   */
  private reach = 0;
  /** The names whose absence the current computation relies on (absentName); each memo entry keeps its own. */
  private absent: string[] | undefined;
  /** Off once the writes are processed: the checks' later lookups (resolveVariable) are never recorded. */
  private tracking = true;
  /** While a write is processed for a record: the memo entries created, and where its placeholder matches start. */
  private recorded: Array<{ level: number; value: PsValue; entry: CacheEntry }> | undefined;
  private matchesFrom = 0;

  constructor(
    private readonly file: string,
    private readonly text: MappedText,
    private readonly scan: PsScanResult,
    callers: readonly ScriptInvocation[],
    private readonly lookup: TreeFileLookup,
  ) {
    this.index = scanIndex(scan, text.text);
    // The first caller that passes a parameter wins; several callers are rare and say so in the chain.
    for (const c of callers) for (const [k, v] of c.named) if (!this.callerArgs.has(k)) this.callerArgs.set(k, v);
    this.hasCallers = callers.length > 0;
  }

  /** The commands that start at `offset` (indexed once: a lookup per value would be quadratic in the script's length). */
  private commandsAt(offset: number): readonly PsCommand[] {
    return this.index.commandsAt(offset);
  }

  /** The computation consulted a node or text ending at `end`. */
  private touch(end: number): void {
    if (end > this.reach) this.reach = end;
  }

  /** The computation's answer may depend on any part of the script (or on other files): never replayed. */
  private touchAll(): void {
    this.reach = Infinity;
  }

  /**
   * The computation's answer depends on there being no assignment of `k` (index key) besides the ones it touched:
   * none before a point, or none at all (a parameter default not found, the last assignment in the file). Replayed
   * only if the rescanned part assigns no `k` (see `replayable`).
   */
  private absentName(k: string): void {
    if (!this.tracking) return;
    if (this.absent === undefined) this.absent = [k];
    else if (!this.absent.includes(k)) this.absent.push(k);
  }

  /** The write and the calls and functions of its frame chain (their parameters, arguments, bodies, names). */
  touchInstance(inst: WriteInstance): void {
    const w = inst.write;
    this.touch(w.end);
    if (w.path) this.touch(w.path.end);
    if (w.content) this.touch(w.content.end);
    if (w.encoding) this.touch(w.encoding.end);
    for (let f = inst.frame; f; f = f.parent) {
      this.touch(f.call.end);
      this.touch(Math.max(f.fn.end, f.fn.bodyEnd));
    }
  }

  /** `declaredParams.has(k)`, consulting the text of the `param(...)` block. */
  private declared(k: string): boolean {
    this.touch(this.index.declaredParamsEnd);
    return this.index.declaredParams.has(k);
  }

  /** `assignedAt` that records what it consulted: the fallback to the last assignment in the file reads them all. */
  private assignedAt<T extends { readonly start: number; readonly end: number }>(k: string, list: readonly T[], offset: number): T | undefined {
    let a = lastBefore(list, offset);
    if (a) this.touch(a.end);
    if (a && a.start < offset && offset < a.end) a = lastBefore(list, a.start);
    if (a) {
      this.touch(a.end);
      return a;
    }
    // None before the use: the last one in the file (or none), which no assignment of `k` may follow.
    this.absentName(k);
    const last = assignedAt(list, offset);
    if (last) this.touch(last.end);
    return last;
  }

  /** Starts the processing of a write: what it consults is tracked anew, and recorded (WriteRecord) if `record`. */
  startRecord(record: boolean): void {
    this.reach = 0;
    this.absent = undefined;
    this.recorded = record ? [] : undefined;
    this.matchesFrom = this.placeholderMatches.length;
  }

  /** The record of the write processed since `startRecord`, or undefined when it can never be replayed. */
  finishRecord(inst: WriteInstance, doc: AgentConfigDoc | undefined, repeated: string | undefined): WriteRecord | undefined {
    const entries = this.recorded ?? [];
    this.recorded = undefined;
    if (this.reach === Infinity) return undefined;
    const calls: PsCommand[] = [];
    const fns: PsFunction[] = [];
    for (let f = inst.frame; f; f = f.parent) {
      calls.unshift(f.call);
      fns.unshift(f.fn);
    }
    const t = this.targets.get(inst);
    return {
      write: inst.write,
      index: inst.index,
      calls,
      fns,
      reach: this.reach,
      absent: this.absent ?? [],
      doc,
      repeated,
      target: t === 'pending' || !this.targets.has(inst) ? null : t,
      matches: this.placeholderMatches.slice(this.matchesFrom),
      entries,
    };
  }

  /** Leaves the state the recorded processing of `inst`'s write left (the caller adds the document and `repeated`). */
  replay(rec: WriteRecord, inst: WriteInstance): void {
    for (const { level, value, entry } of rec.entries) {
      let f = inst.frame;
      while (f && f.level > level) f = f.parent;
      (level === 0 ? this.mappedCache : f!.cache).set(value, entry);
    }
    for (const m of rec.matches) this.placeholderMatches.push(m);
    if (rec.target !== null) this.targets.set(inst, rec.target);
  }

  private host(start: number, end: number): Span {
    return this.text.toHost(start, end);
  }

  /** A parameter's value on entry: what a caller passes, else its default; body assignments ignored. */
  input(name: string): ResolvedValue {
    const k = name.toLowerCase();
    const passed = this.callerArgs.get(k);
    const param = (this.index.assignmentsByName.get(k) ?? []).find((a) => a.isParameterDefault);
    if (passed)
      return withStep(passed.value, { span: passed.span, note: `${baseName(passed.callerFile ?? '?')} passes -${name} to ${baseName(this.file)}` }, name);
    if (param?.value) {
      const v = this.valueOf(param.value, 1);
      return withStep(v, { span: this.host(param.nameStart, param.value.end), note: `${baseName(this.file)} parameter $${param.name} default` }, name);
    }
    return { kind: 'unknown', reason: `$${name} is not a parameter of ${baseName(this.file)} with a default`, chain: [] };
  }

  variable(name: string, offset: number, depth: number, frame?: Frame): ResolvedValue {
    const k = name.toLowerCase().replace(/^(script|global|local|private):/, '');
    if (frame) return this.frameVariable(name, k, offset, depth, frame);
    if (k.startsWith('env:')) return this.envVariable(k.slice(4), name, offset, depth);
    const list = this.index.assignmentsByName.get(k) ?? [];
    // The first default in the file: before the restart of a rescan, it is the same. None found: `absent`.
    const param = list.find((a) => a.isParameterDefault);
    if (param) this.touch(param.end);
    else this.absentName(k);
    const passed = this.callerArgs.get(k);
    if (passed && (param || this.declared(k))) {
      const viaCaller = withStep(
        passed.value,
        { span: passed.span, note: `${baseName(passed.callerFile ?? '?')} passes -${name} to ${baseName(this.file)}` },
        name,
      );
      return param
        ? withStep(viaCaller, { span: this.host(param.nameStart, param.nameEnd), note: `${baseName(this.file)} parameter $${param.name}` }, name)
        : viaCaller;
    }
    if (!passed && !param && this.declared(k) && this.hasCallers && !this.hasPlain(k)) {
      // A declared parameter no caller passes and without a default is $null: "" inside a string.
      return withStep(
        { kind: 'known', text: '', chain: [] },
        {
          span: this.host(this.index.declaredParams.get(k)!, this.index.declaredParams.get(k)! + name.length + 1),
          note: `${baseName(this.file)} parameter $${name} is not passed by its caller (empty)`,
        },
        name,
      );
    }
    // The last plain assignment before the use, else the last one in the file (functions defined above).
    const plain = this.index.plainByName.get(k) ?? [];
    const before = this.assignedAt(k, plain, offset);
    const chosen = before ?? param;
    if (!chosen) {
      if (passed) return passed.value;
      return { kind: 'unknown', reason: `$${name} is not assigned in ${baseName(this.file)}`, chain: [] };
    }
    if (depth > MAX_DEPTH) this.touchAll();
    if (!chosen.value || depth > MAX_DEPTH) return { kind: 'unknown', reason: `$${name} has no static value`, chain: [] };
    const v = this.valueOf(chosen.value, depth + 1);
    const note = chosen.isParameterDefault ? `${baseName(this.file)} parameter $${chosen.name} default` : `${baseName(this.file)} sets $${chosen.name}`;
    return withStep(v, { span: this.host(chosen.nameStart, chosen.value.end), note }, name);
  }

  /** Whether `k` has a plain assignment anywhere: the first one decides, and none relies on there being none (`absent`). */
  private hasPlain(k: string): boolean {
    const first = this.index.plainByName.get(k)?.[0];
    if (first) this.touch(first.end);
    else this.absentName(k);
    return first !== undefined;
  }

  /**
   * A variable inside a function during one call: its parameter (the call's argument, else its default, else
   * empty), an assignment earlier in its body, else the variable as the caller sees it at the call (PowerShell's
   * dynamic scope).
   */
  private frameVariable(name: string, k: string, offset: number, depth: number, frame: Frame): ResolvedValue {
    if (depth > MAX_DEPTH) {
      this.touchAll();
      return { kind: 'unknown', reason: `$${name} has no static value`, chain: [] };
    }
    const fn = frame.fn.name;
    this.touch(frame.call.end);
    // `$Path = Resolve-Path $Path` in the body: the assignment, which may read the parameter before it.
    const own = k.startsWith('env:') ? undefined : this.bodyAssignment(k, offset, frame.fn);
    if (own?.value) {
      const v = this.valueOf(own.value, depth + 1, frame);
      return withStep(v, { span: this.host(own.nameStart, own.value.end), note: `${fn} sets $${own.name}` }, name);
    }
    const bound = frame.params.get(k);
    if (bound) {
      const { param, arg } = bound;
      if (arg) {
        const v = this.valueOf(arg, depth + 1, frame.parent);
        return withStep(v, { span: this.host(arg.start, arg.end), note: `${baseName(this.file)} passes $${param.name} to ${fn}` }, name);
      }
      if (param.defaultValue) {
        const v = this.valueOf(param.defaultValue, depth + 1, frame);
        return withStep(v, { span: this.host(param.start, param.defaultValue.end), note: `${fn} parameter $${param.name} default` }, name);
      }
      if (frame.splatted) return { kind: 'unknown', reason: `$${param.name} may be passed to ${fn} by splatting`, chain: [] };
      return withStep(
        { kind: 'known', text: '', chain: [] },
        { span: this.host(frame.call.start, frame.call.end), note: `${fn} is called without $${param.name} (empty)` },
        name,
      );
    }
    return this.variable(name, frame.call.start, depth + 1, frame.parent);
  }

  /** The last plain assignment of `k` in the function's body before `offset`. */
  private bodyAssignment(k: string, offset: number, fn: PsFunction): PsAssignment | undefined {
    const list = this.index.plainByName.get(k) ?? [];
    // Only assignments before `offset` (inside the body, which the frame's function covers) are consulted.
    this.touch(Math.max(fn.end, fn.bodyEnd));
    let a = lastBefore(list, Math.min(offset, fn.bodyEnd));
    if (a) this.touch(a.end);
    // `$c = $c -replace …` inside the body: the right-hand `$c` is the earlier assignment.
    if (a && a.start < offset && offset < a.end) a = lastBefore(list, a.start);
    if (a) this.touch(a.end);
    return a && a.start >= fn.bodyStart ? a : undefined;
  }

  private envVariable(envName: string, written: string, offset: number, depth: number): ResolvedValue {
    const assigned = lastBefore(this.index.assignmentsByName.get(`env:${envName}`) ?? [], offset);
    if (assigned) this.touch(assigned.end);
    if (assigned?.value && depth > MAX_DEPTH) this.touchAll();
    if (assigned?.value && depth <= MAX_DEPTH) {
      const v = this.valueOf(assigned.value, depth + 1);
      return withStep(v, { span: this.host(assigned.nameStart, assigned.value.end), note: `${baseName(this.file)} sets $${assigned.name}` }, written);
    }
    return { kind: 'unknown', reason: `$${written} comes from the environment at run time`, chain: [] };
  }

  /** Resolves a value position to text + chain (inside `frame`: during that call of a function). */
  valueOf(v: PsValue, depth: number, frame?: Frame): ResolvedValue {
    this.touch(v.end);
    if (v.kind === 'variable') return this.variable(v.name, v.start, depth, frame);
    if (v.kind === 'bareword') return { kind: 'known', text: this.text.text.slice(v.start, v.end), chain: [] };
    const m = this.mappedOf(v, depth, frame);
    if (!m) {
      const written = `\`${abbreviate(this.text.text.slice(v.start, v.end))}\``;
      if ((frame ? frame.cache : this.mappedCache).get(v)?.oversized)
        return { kind: 'unknown', reason: `${written} grows past the ${MAX_VALUE_CHARS / 1024} KiB of text the review follows per value`, chain: [] };
      return { kind: 'unknown', reason: `${written} is computed at run time`, chain: [] };
    }
    return valueOfMapped(m);
  }

  /** Resolves a content position to a mapped virtual document. */
  mappedOf(v: PsValue, depth: number, frame?: Frame): MappedText | undefined {
    const cache = frame ? frame.cache : this.mappedCache;
    const hit = cache.get(v);
    if (hit) {
      const into = this.collecting[this.collecting.length - 1];
      if (into) for (const src of hit.sources) into.add(src);
      if (hit.oversized) {
        this.oversizedSeen++;
        this.touchAll();
      }
      this.touch(hit.reach);
      if (hit.absent) for (const k of hit.absent) this.absentName(k);
      return hit.value;
    }
    const mine = new Set<ReadSource>();
    const direct: { src?: ReadSource } = {};
    this.collecting.push(mine);
    let m: MappedText | undefined;
    const cutBefore = this.oversizedSeen;
    // The entry's own reach: what computing this value consulted (added to the enclosing computation's after).
    const outer = this.reach;
    const outerAbsent = this.absent;
    this.reach = v.end;
    this.absent = undefined;
    let reach = Infinity;
    let absent: string[] | undefined;
    try {
      m = this.computeMapped(v, depth, frame, direct);
      if (m && m.text.length > MAX_VALUE_CHARS) {
        m = undefined;
        this.oversizedSeen++;
        this.touchAll();
      }
    } finally {
      this.collecting.pop();
      reach = this.reach;
      this.reach = Math.max(outer, reach);
      absent = this.absent as string[] | undefined;
      this.absent = outerAbsent;
      if (absent) for (const k of absent) this.absentName(k);
    }
    const into = this.collecting[this.collecting.length - 1];
    if (into) for (const src of mine) into.add(src);
    // Unknown because a value it is made of was cut (a -replace on it, a read of it): the same reason, not "run time".
    const oversized = m === undefined && this.oversizedSeen > cutBefore;
    const entry: CacheEntry = direct.src ? { value: m, sources: mine, direct: direct.src, reach, absent } : { value: m, sources: mine, reach, absent };
    const stored = oversized ? { ...entry, oversized: true as const, reach: Infinity } : entry;
    cache.set(v, stored);
    this.recorded?.push({ level: frame ? frame.level : 0, value: v, entry: stored });
    return m;
  }

  /** Runs `f` and returns its value with the earlier writes and written documents it read. */
  collect<T>(f: () => T): { value: T; sources: ReadonlySet<ReadSource> } {
    const sources = new Set<ReadSource>();
    this.collecting.push(sources);
    try {
      return { value: f(), sources };
    } finally {
      this.collecting.pop();
      const into = this.collecting[this.collecting.length - 1];
      if (into) for (const src of sources) into.add(src);
    }
  }

  private isolated<T>(f: () => T): T {
    this.collecting.push(new Set());
    try {
      return f();
    } finally {
      this.collecting.pop();
    }
  }

  private computeMapped(v: PsValue, depth: number, frame: Frame | undefined, direct: { src?: ReadSource }): MappedText | undefined {
    if (depth > MAX_DEPTH) {
      this.touchAll();
      return undefined;
    }
    switch (v.kind) {
      case 'string':
        return this.decode(v.literal, depth, frame);
      case 'bareword':
        return new MappedTextBuilder(this.text).copy(v.start, v.end).build();
      case 'variable':
        return this.mappedVariable(v.name, v.start, v, depth, frame);
      case 'read': {
        // Earlier writes of any target, called scripts' documents, tree files: never replayed.
        this.touchAll();
        if (!v.path) return undefined;
        const p = this.valueOf(v.path, depth + 1, frame);
        const pathText = p.kind === 'known' ? p.text : this.text.text.slice(v.path.start, v.path.end);
        const norm = normalizeScriptPath(pathText);
        // The file as an earlier write of this script left it (an in-place edit), not a tree file of the same name.
        const earlier = this.fileStateBefore(norm, p.kind === 'known', frame, [...(frame?.key ?? []), v.start], depth);
        if (earlier) {
          direct.src = earlier.source;
          return earlier.text;
        }
        const written = this.lookup.findWritten?.(pathText);
        if (written) {
          const src: ReadSource = { kind: 'written', doc: written, path: norm };
          this.collecting[this.collecting.length - 1]?.add(src);
          direct.src = src;
          return written.text;
        }
        return this.lookup.findByScriptPath(pathText)?.text;
      }
      case 'replace': {
        const base = this.mappedOf(v.base, depth + 1, frame);
        if (!base) return undefined;
        return v.ops.reduce<MappedText>((acc, op) => this.applyReplace(acc, op, v.base, depth, frame), base);
      }
      case 'other': {
        // A plain decimal number literal (`$bootstrapExpect = 1`) is its own value: PowerShell prints it the same way
        // when it is expanded in a string ("$bootstrapExpect").
        const literal = this.text.text.slice(v.start, v.end);
        if (/^\d+(\.\d+)?$/.test(literal)) return new MappedTextBuilder(this.text).copy(v.start, v.end).build();
        return this.joinPath(v, depth, frame) ?? this.convertToJson(v, depth, frame);
      }
      default:
        return undefined;
    }
  }

  /** A variable used as content: the assignment's own mapped value (a here-string keeps its mapping), else its value. */
  private mappedVariable(name: string, offset: number, occurrence: PsNode, depth: number, frame: Frame | undefined): MappedText | undefined {
    const k = name.toLowerCase();
    if (frame) {
      this.touch(frame.call.end);
      const own = this.bodyAssignment(k, offset, frame.fn);
      if (own?.value) return this.mappedOf(own.value, depth + 1, frame);
      const bound = frame.params.get(k.replace(/^(script|global|local|private):/, ''));
      if (bound?.arg) return this.mappedOf(bound.arg, depth + 1, frame.parent);
      if (bound?.param.defaultValue) return this.mappedOf(bound.param.defaultValue, depth + 1, frame);
      if (!bound && depth > MAX_DEPTH) this.touchAll();
      if (!bound && depth <= MAX_DEPTH) return this.mappedVariable(name, frame.call.start, occurrence, depth + 1, frame.parent);
      const val = this.variable(name, offset, depth + 1, frame);
      if (val.kind !== 'known') return undefined;
      return new MappedTextBuilder(this.text).emit(val.text, occurrence.start, occurrence.end, val).build();
    }
    const list = this.index.plainByName.get(k) ?? [];
    const a = this.assignedAt(k, list, offset);
    if (a?.value) return this.mappedOf(a.value, depth + 1);
    const val = this.variable(name, offset, depth + 1);
    if (val.kind !== 'known') return undefined;
    return new MappedTextBuilder(this.text).emit(val.text, occurrence.start, occurrence.end, val).build();
  }

  /**
   * The executed writes in order: top-level writes and calls of the script's functions in source order, each call
   * running its function's writes with its arguments (nested calls up to MAX_CALL_DEPTH, no recursion). A function
   * that is never called keeps its writes as top-level ones (evaluated where they are written).
   */
  /** Drops the memo tables (recomputed on demand if a check resolves a variable later). */
  releaseMemos(): void {
    this.tracking = false;
    this.absent = undefined;
    this.mappedCache.clear();
    this.targets.clear();
    this.instances = undefined;
    this.byTarget = undefined;
  }

  writeInstances(): readonly WriteInstance[] {
    if (this.instances) return this.instances;
    const out: WriteInstance[] = [];
    this.instances = out;
    const fns = this.scan.functions ?? [];
    const writes = this.scan.fileWrites;
    if (fns.length === 0) {
      writes.forEach((write, index) => out.push({ write, index, frame: undefined, key: [write.end] }));
      return out;
    }
    const owner = innermostFunction(fns);
    const byName = new Map<string, PsFunction[]>();
    for (const f of fns) {
      const list = byName.get(f.name.toLowerCase());
      if (list) list.push(f);
      else byName.set(f.name.toLowerCase(), [f]);
    }
    const callee = (c: PsCommand): PsFunction | undefined => {
      const list = byName.get(c.name.toLowerCase());
      if (!list) return undefined;
      return lastBefore(list, c.start) ?? list[0];
    };
    type Item = { at: number; write?: number; call?: PsCommand; fn?: PsFunction };
    const items = new Map<PsFunction | undefined, Item[]>();
    const add = (o: PsFunction | undefined, item: Item) => {
      const list = items.get(o);
      if (list) list.push(item);
      else items.set(o, [item]);
    };
    for (const c of this.scan.commands) {
      const fn = callee(c);
      if (fn) add(owner(c.start), { at: c.start, call: c, fn });
    }
    // Functions some executed code calls: their writes run per call; the others' stay top-level writes.
    const reached = new Set<PsFunction>();
    const queue = [...(items.get(undefined) ?? [])];
    while (queue.length > 0) {
      const fn = queue.pop()!.fn!;
      if (reached.has(fn)) continue;
      reached.add(fn);
      queue.push(...(items.get(fn) ?? []));
    }
    writes.forEach((w, i) => {
      const o = owner(w.start);
      add(o && reached.has(o) ? o : undefined, { at: w.start, write: i });
    });
    for (const list of items.values()) list.sort((a, b) => a.at - b.at);
    // Only calls that can reach a write are followed (a logging helper called a thousand times costs nothing).
    const writing = new Map<PsFunction, boolean>();
    const canWrite = (fn: PsFunction): boolean => {
      const known = writing.get(fn);
      if (known !== undefined) return known;
      writing.set(fn, false);
      const w = (items.get(fn) ?? []).some((i) => i.write !== undefined || (i.fn !== undefined && canWrite(i.fn)));
      writing.set(fn, w);
      return w;
    };
    let calls = 0;
    const run = (fn: PsFunction | undefined, frame: Frame | undefined): void => {
      for (const item of items.get(fn) ?? []) {
        if (out.length >= MAX_WRITE_INSTANCES) return;
        if (item.write !== undefined) {
          const write = writes[item.write]!;
          out.push({ write, index: item.write, frame, key: [...(frame?.key ?? []), write.end] });
          continue;
        }
        const callee = item.fn!;
        if ((frame?.level ?? 0) >= MAX_CALL_DEPTH || !canWrite(callee) || ++calls > MAX_WRITE_INSTANCES) continue;
        let recursive = false;
        for (let f = frame; f; f = f.parent) if (f.fn === callee) recursive = true;
        if (recursive) continue;
        run(callee, this.frame(callee, item.call!, frame));
      }
    };
    run(undefined, undefined);
    return out;
  }

  /** Binds a call's arguments to the function's parameters: named ones (unambiguous prefixes too), then positional ones in order. */
  private frame(fn: PsFunction, call: PsCommand, parent: Frame | undefined): Frame {
    const params = new Map<string, { param: PsFunctionParam; arg: PsValue | undefined }>();
    for (const p of fn.params) params.set(p.name.toLowerCase(), { param: p, arg: undefined });
    for (const p of call.parameters) {
      const n = p.name.toLowerCase().replace(/:$/, '');
      const exact = params.get(n);
      const prefixed = exact ? [] : [...params.keys()].filter((k) => k.startsWith(n));
      const key = exact ? n : prefixed.length === 1 ? prefixed[0]! : undefined;
      if (key && p.value) params.set(key, { param: params.get(key)!.param, arg: p.value });
    }
    const free = fn.params.filter((p) => params.get(p.name.toLowerCase())!.arg === undefined);
    // `Replace-Token @args`: splatted arguments are not followed; the parameters they may set stay unknown.
    const splat = (a: PsValue) => this.text.text.charCodeAt(a.start) === 64;
    call.arguments
      .filter((a) => !splat(a))
      .forEach((a, i) => {
        const p = free[i];
        if (p) params.set(p.name.toLowerCase(), { param: p, arg: a });
      });
    return {
      fn,
      call,
      parent,
      splatted: call.arguments.some(splat),
      level: (parent?.level ?? 0) + 1,
      params,
      key: [...(parent?.key ?? []), call.start],
      id: `${parent?.id ?? ''}@${call.start}`,
      cache: new Map(),
    };
  }

  /** The path a write targets, normalised (`C:\X\nomad.hcl`, `"c:/x/NOMAD.hcl"` alike). */
  targetOf(inst: WriteInstance): { norm: string; known: boolean } | undefined {
    const cached = this.targets.get(inst);
    if (cached === 'pending') return undefined;
    if (cached || this.targets.has(inst)) return cached;
    this.targets.set(inst, 'pending');
    const w = inst.write;
    let t: { norm: string; known: boolean } | undefined;
    if (w.path) {
      const v = this.valueOf(w.path, 1, inst.frame);
      t = { norm: normalizeScriptPath(v.kind === 'known' ? v.text : this.text.text.slice(w.path.start, w.path.end)), known: v.kind === 'known' };
      // `Copy-Item tpl\nomad.hcl -Destination C:\nomad\config\`: the copy keeps the source's name.
      const src = w.via === 'Copy-Item' && w.content?.kind === 'read' ? w.content.path : undefined;
      if (src && /(^|\/)[^./]*\/?$/.test(t.norm)) {
        const s = this.valueOf(src, 1, inst.frame);
        const name = s.kind === 'known' ? baseName(normalizeScriptPath(s.text)) : '';
        if (name.includes('.')) t = { ...t, norm: `${t.norm.replace(/\/$/, '')}/${name}` };
      }
    }
    this.targets.set(inst, t);
    return t;
  }

  /**
   * The content of the file `norm` as the last write executed before `key` left it (appends added to what was
   * there), or undefined when no earlier write targets it or its content is not known. A path known only as written
   * (`$NomadFile` from the environment) matches the same text within the same call.
   */
  private fileStateBefore(
    norm: string,
    known: boolean,
    frame: Frame | undefined,
    key: readonly number[],
    depth: number,
  ): { text: MappedText; source: ReadSource } | undefined {
    const list = this.writeInstances();
    // Instances are in execution order: the ones run before `key` are a prefix.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (executedBefore(list[mid]!.key, key)) lo = mid + 1;
      else hi = mid;
    }
    return this.stateAt(norm, known, frame, lo - 1, depth);
  }

  /** Instance indices per normalised target, ascending (built once all targets are known). */
  private targetIndex(): ReadonlyMap<string, readonly number[]> {
    if (this.byTarget) return this.byTarget;
    const index = new Map<string, number[]>();
    let complete = true;
    this.writeInstances().forEach((inst, i) => {
      if (!inst.write.path) return;
      const t = this.targetOf(inst);
      if (!t) {
        if (this.targets.get(inst) === 'pending') complete = false;
        return;
      }
      const list = index.get(t.norm);
      if (list) list.push(i);
      else index.set(t.norm, [i]);
    });
    if (complete) this.byTarget = index;
    return index;
  }

  private stateAt(norm: string, known: boolean, frame: Frame | undefined, last: number, depth: number): { text: MappedText; source: ReadSource } | undefined {
    // Only reached from a read (never replayed); said again here because it consults every write's target.
    this.touchAll();
    if (depth > MAX_DEPTH || last < 0) return undefined;
    const list = this.writeInstances();
    const candidates = this.targetIndex().get(norm) ?? [];
    for (let c = lastAtMost(candidates, last); c >= 0; c--) {
      const i = candidates[c]!;
      const inst = list[i]!;
      const t = this.targetOf(inst);
      if (!t || t.known !== known || (!known && inst.frame !== frame)) continue;
      const source: ReadSource = { kind: 'instance', instance: inst, path: norm };
      const w = inst.write;
      // What that write itself read is its own business: a reader continues the write, not the write's sources.
      let text = w.content ? this.isolated(() => this.mappedOf(w.content!, depth + 1, inst.frame)) : w.via === 'New-Item' ? new MappedText('', []) : undefined;
      if (!text) return undefined;
      if (w.append) {
        const before = this.stateAt(norm, known, frame, i - 1, depth + 1);
        if (before) {
          const sep = before.text.text === '' || before.text.text.endsWith('\n') ? [] : [new MappedTextBuilder(this.text).emit('\n', w.start, w.end).build()];
          text = MappedText.concat([before.text, ...sep, text]);
        }
      }
      this.collecting[this.collecting.length - 1]?.add(source);
      return { text, source };
    }
    return undefined;
  }

  /** `Join-Path $Dir "config\client.hcl"` / `Join-Path -Path A -ChildPath B [more]`: the parts joined with `\`. */
  private joinPath(v: PsValue, depth: number, frame: Frame | undefined): MappedText | undefined {
    const cmd = this.commandsAt(v.start).find((c) => /^join-path$/i.test(c.name));
    if (!cmd) return undefined;
    this.touch(cmd.end);
    const named = (n: string) => cmd.parameters.find((p) => p.name.toLowerCase() === n)?.value;
    const parts = [
      named('path') ?? cmd.arguments[0],
      named('childpath') ?? cmd.arguments[named('path') ? 0 : 1],
      ...cmd.arguments.slice(named('path') ? (named('childpath') ? 0 : 1) : 2).filter((a) => a !== named('childpath')),
    ];
    const mapped: MappedText[] = [];
    for (const part of parts) {
      if (!part) continue;
      const m = this.mappedOf(part, depth + 1, frame);
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
  private convertToJson(v: PsValue, depth: number, frame: Frame | undefined): MappedText | undefined {
    const cmd = [...this.commandsAt(v.start), ...this.commandsAt(v.start + 1)].find((c) => /^convertto-json$/i.test(c.name));
    if (!cmd) return undefined;
    this.touch(cmd.end);
    const named = (n: string) => cmd.parameters.find((p) => p.name.toLowerCase() === n)?.value;
    // Switches take no value: a value the scanner attached to one is the input object.
    const input = named('inputobject') ?? cmd.arguments[0] ?? named('compress') ?? named('enumsasstrings') ?? named('asarray');
    if (!input || named('asarray') || cmd.pipelineInput) return undefined;
    if (input.kind !== 'string' && input.kind !== 'variable') return undefined;
    const val = this.valueOf(input, depth + 1, frame);
    if (val.kind !== 'known' || /[^\x20-\x7e]|[<>&']/.test(val.text)) return undefined;
    const json = JSON.stringify(val.text);
    const origin: ResolvedValue = {
      ...val,
      text: json,
      chain: [...val.chain, { span: this.host(cmd.start, cmd.end), note: `${baseName(this.file)} ConvertTo-Json` }],
    };
    return new MappedTextBuilder(this.text).emit(json, v.start, v.end, origin).build();
  }

  private decode(lit: PsStringLiteral, depth: number, frame: Frame | undefined): MappedText {
    return decodePsString(this.text, lit, (e: PsExpansion) => {
      const written = this.text.text.slice(e.start, e.end);
      // `${name}` left as written by the Terraform template render (its value is unknown there, e.g. a resource
      // attribute known only after apply, or a variable without a default): the template's reason, not a
      // PowerShell variable of the same name (the bash model does the same).
      const rendered = this.text.isExactAt(e.start) ? undefined : this.text.originsIn(e.start, e.start + 1)[0];
      if (rendered?.kind === 'unknown') return { text: written, origin: rendered };
      // `$($ip)` reads `$ip`: it has that variable's value (a property or a command is computed at run time).
      const sub = e.subexpression ? subexpressionVariable(e.name) : undefined;
      if (e.subexpression && !sub?.plain)
        return { text: runTimeText(written), origin: { kind: 'unknown', reason: `\`${abbreviate(written)}\` is computed at run time`, chain: [] } };
      const val = this.variable(sub ? sub.name : e.name, e.start, depth + 1, frame);
      // Unknown values keep their text and carry the reason: later stages never take them for data.
      return { text: val.kind === 'known' ? val.text : written, origin: val };
    });
  }

  private applyReplace(base: MappedText, op: PsReplaceOp, baseValue: PsValue, depth: number, frame: Frame | undefined): MappedText {
    if (!op.pattern) return base;
    const pat = this.valueOf(op.pattern, depth + 1, frame);
    if (pat.kind !== 'known' || pat.text === '') return base;
    const rep: ResolvedValue = op.replacement ? this.valueOf(op.replacement, depth + 1, frame) : { kind: 'known', text: '', chain: [] };
    // `.Replace(a, b)` is String.Replace: a literal, case-sensitive pattern.
    const literal = op.operator === '.Replace';
    const caseSensitive = op.operator === '-creplace' || literal;
    let re: RegExp;
    try {
      re = new RegExp(literal ? pat.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pat.text, caseSensitive ? 'g' : 'gi');
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
        templateFile: this.templateOf(baseValue, frame) ?? templateFile,
      });
    }
    out.copy(last, base.text.length);
    return out.build();
  }

  /** The config template a content value was read from, if any (through an earlier write of the same file). */
  templateOf(v: PsValue | undefined, frame?: Frame, depth = 0): string | undefined {
    if (!v) return undefined;
    this.touch(v.end);
    if (depth > MAX_DEPTH) {
      this.touchAll();
      return undefined;
    }
    if (v.kind === 'replace') return this.templateOf(v.base, frame, depth + 1);
    if (v.kind === 'read') {
      this.touchAll();
      const m = this.mappedOf(v, 0, frame);
      const src = (frame ? frame.cache : this.mappedCache).get(v)?.direct;
      if (src?.kind === 'instance') return this.templateOf(src.instance.write.content, src.instance.frame, depth + 1);
      if (src?.kind === 'written') return src.doc.templateFile ?? src.doc.text.primaryFile();
      return m?.primaryFile();
    }
    if (v.kind === 'variable') {
      const k = v.name.toLowerCase();
      if (frame) {
        const own = this.bodyAssignment(k, v.start, frame.fn);
        if (own?.value) return own.value === v ? undefined : this.templateOf(own.value, frame, depth + 1);
        const bound = frame.params.get(k);
        if (bound?.arg) return this.templateOf(bound.arg, frame.parent, depth + 1);
        if (bound) return undefined;
      }
      const list = this.index.plainByName.get(k) ?? [];
      if (frame) this.touch(frame.call.end);
      const a = this.assignedAt(k, list, frame ? frame.call.start : v.start);
      return a?.value && a.value !== v ? this.templateOf(a.value, frame?.parent, depth + 1) : undefined;
    }
    return undefined;
  }

  invocations(): ScriptInvocation[] {
    const out: ScriptInvocation[] = [];
    for (const c of this.scan.commands) {
      // Most commands of a long script run no script: one test of the name, nothing allocated for them.
      if (!MAY_RUN_SCRIPT.test(c.name)) continue;
      const target = scriptTarget(c.name, () => c.arguments.map((a) => this.text.text.slice(a.start, a.end)));
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

/**
 * The innermost function whose body holds an offset. Bodies are brace-matched, so two are nested or disjoint: the
 * one holding an offset is the last body starting at or before it, or an enclosing body of that one. A binary search
 * and a walk up the (short) nesting chain: the linear scan per command and write was quadratic in the script's length.
 */
export function innermostFunction(fns: readonly PsFunction[]): (offset: number) => PsFunction | undefined {
  const sorted = [...fns].sort((a, b) => a.bodyStart - b.bodyStart);
  const parent: Array<number | undefined> = [];
  const open: number[] = [];
  sorted.forEach((f, i) => {
    while (open.length > 0 && sorted[open[open.length - 1]!]!.bodyEnd <= f.bodyStart) open.pop();
    parent.push(open[open.length - 1]);
    open.push(i);
  });
  return (offset) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.bodyStart <= offset) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i: number | undefined = at < 0 ? undefined : at; i !== undefined; i = parent[i]) if (offset < sorted[i]!.bodyEnd) return sorted[i];
    return undefined;
  };
}

/** `& C:\ops\client.ps1 …`, `powershell -File client.ps1 …`, `.\client.ps1 …`. */
/** A command name scriptTarget can read as running a script: a `.ps1` path, or a command that takes one as an argument. */
const MAY_RUN_SCRIPT = /\.ps1|^\s*["']?(?:powershell|pwsh)(?:\.exe)?["']?\s*$|^[&.]$/i;

function scriptTarget(name: string, argTexts: () => string[]): { base: string; path: string; argIndex: number } | undefined {
  const clean = (s: string) => stripQuotes(s.trim());
  if (/\.ps1$/i.test(clean(name))) return { base: baseName(clean(name)).toLowerCase(), path: clean(name), argIndex: -1 };
  if (/^(powershell|pwsh)(\.exe)?$/i.test(name) || name === '&' || name === '.') {
    // Only these commands take the script as an argument: the argument texts are read for them alone.
    const args = argTexts();
    const i = args.findIndex((a) => /\.ps1['"]?$/i.test(a.trim()));
    if (i >= 0) return { base: baseName(clean(args[i]!)).toLowerCase(), path: clean(args[i]!), argIndex: i };
  }
  return undefined;
}

/** Per variable name: every step of every value asks, and a script uses a few hundred names. */
const secretNames = new Map<string, boolean>();

function isSecretVariable(name: string): boolean {
  let v = secretNames.get(name);
  if (v === undefined) {
    if (secretNames.size > 10_000) secretNames.clear();
    secretNames.set(name, (v = looksSecretName(name.replace(/^env:/i, ''))));
  }
  return v;
}

function withStep(v: ResolvedValue, step: ChainStep, name: string): ResolvedValue {
  const secret = isSecretVariable(name);
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

function describeWrite(via: string, content: PsValue | undefined, inPlace = false, fn?: string): string {
  const inFunction = fn ? ` in the function ${fn}` : '';
  if (inPlace)
    return `file written earlier, ${content?.kind === 'replace' ? 'edited in place with -replace' : 'read back'} and written again with ${via}${inFunction}`;
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
  return `${what} written with ${via}${inFunction}`;
}

/** The position of the last value <= `max` in an ascending list, or -1. */
function lastAtMost(list: readonly number[], max: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= max) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Whether a write that ends at `write` (execution key) has run before a read at `read`. */
function executedBefore(write: readonly number[], read: readonly number[]): boolean {
  const n = Math.min(write.length, read.length);
  for (let i = 0; i < n; i++) {
    if (write[i]! < read[i]!) return true;
    if (write[i]! > read[i]!) return false;
    if (i === write.length - 1 && i === read.length - 1) return true;
  }
  return false;
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

export function abbreviate(s: string): string {
  // Whitespace runs collapse to one space; only the first 51 collapsed characters matter (the text can be a long
  // command or here-string, and this runs for every value computed at run time). Runs of other characters are
  // copied by slice: one concatenation per run, not per character.
  let t = '';
  let i = 0;
  while (i < s.length && t.length <= 50) {
    if (isJsWhitespace(s.charCodeAt(i))) {
      while (i < s.length && isJsWhitespace(s.charCodeAt(i))) i++;
      t += ' ';
      continue;
    }
    let j = i;
    const room = 51 - t.length;
    while (j < s.length && j - i < room && !isJsWhitespace(s.charCodeAt(j))) j++;
    t += s.slice(i, j);
    i = j;
  }
  return t.length > 50 ? `${t.slice(0, 47)}...` : t;
}

/** Exactly the code units `\s` matches (WhiteSpace and LineTerminator of ECMA-262), without a regex per character. */
function isJsWhitespace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279;
}

/** The last item starting before `offset` in a list sorted by start (binary search: scripts with thousands of assignments stay linear). */
/**
 * The assignment of a variable in effect at a use: the last one before `offset` that is complete there. PowerShell
 * evaluates the right-hand side before it assigns, so in `$c = $c -replace 'A', 'B'` the `$c` on the right is the
 * earlier value, not this assignment. Without an earlier one, the last assignment elsewhere in the file (a function
 * defined above the assignments it reads), again never the one being evaluated.
 */
function assignedAt<T extends { readonly start: number; readonly end: number }>(list: readonly T[], offset: number): T | undefined {
  const inside = (a: T) => a.start < offset && offset < a.end;
  let a = lastBefore(list, offset);
  if (a && inside(a)) a = lastBefore(list, a.start);
  if (a) return a;
  for (let i = list.length - 1; i >= 0; i--) if (!inside(list[i]!)) return list[i];
  return undefined;
}

function lastBefore<T extends { readonly start: number }>(list: readonly T[], offset: number): T | undefined {
  const n = countBefore(list, offset);
  return n > 0 ? list[n - 1] : undefined;
}

/** The parameters a script's top-level `param(...)` block declares (lower-case name -> offset of `$`), defaults or not. */
function declaredParameters(text: string): { params: Map<string, number>; end: number } {
  const out = new Map<string, number>();
  const m = /(^|\n)\s*(?:\[[^\]\n]*\]\s*)*param\s*\(/i.exec(text);
  // Without a block the answer depends on the whole text; with one, on the text up to its closing parenthesis.
  if (!m) return { params: out, end: Infinity };
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
  return { params: out, end: i + 1 };
}
