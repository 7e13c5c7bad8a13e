/**
 * What the model keeps of a provisioning script (PowerShell or bash): the
 * agent configs it writes, the scripts it calls with which arguments, and
 * the raw scan for the checks that look at commands (services, downloads,
 * cleanup).
 */
import type { AgentConfigDoc, AgentOs } from '../agent/configDoc';
import type { PsScanResult } from '../parsers/powershell/types';
import type { ShScanResult, ShSed } from '../parsers/bash/types';
import type { ShellStringRegion } from './bashNested';
import type { MappedText } from '../text/mappedText';
import type { ChainStep, ResolvedValue, Span } from '../types';

export interface ScriptArgument {
  readonly value: ResolvedValue;
  readonly span: Span;
  /** The script that passes it (set for named PowerShell parameters). */
  readonly callerFile?: string;
}

/** A call of another script of the tree (`client.ps1 -RetryJoin …`, `bash client.sh aws "$X"`). */
export interface ScriptInvocation {
  readonly callerFile: string;
  /** Base name of the called script, lower-case (`client.ps1`). */
  readonly scriptBaseName: string;
  readonly scriptPathText: string;
  readonly named: ReadonlyMap<string, ScriptArgument>;
  readonly positional: readonly ScriptArgument[];
  readonly span: Span;
}

/** One `-replace`/`sed s///` match applied to a config template. */
export interface PlaceholderMatch {
  readonly operator: string;
  readonly pattern: string;
  readonly caseSensitive: boolean;
  /**
   * sed only: whether the match exists only because case is ignored (the pattern does not match the text
   * case-sensitively). PowerShell leaves it unset (its patterns are compared as text).
   */
  readonly caseOnly?: boolean;
  /** The template text that matched (may differ in case from the pattern). */
  readonly matched: string;
  /** Where the match is in the template (host span). */
  readonly matchSpan: Span;
  /** The operator in the script. */
  readonly opSpan: Span;
  readonly templateFile: string;
}

interface ScriptFactsBase {
  readonly file: string;
  readonly os: AgentOs;
  /** The text that was scanned (the template render for templated scripts). */
  readonly text: MappedText;
  readonly templated: boolean;
  readonly configDocs: readonly AgentConfigDoc[];
  readonly invocations: readonly ScriptInvocation[];
  readonly placeholderMatches: readonly PlaceholderMatch[];
  /** Resolves a script variable as seen at `offset` (virtual offset in `text`). */
  resolveVariable(name: string, offset: number): ResolvedValue;
  /**
   * The value a variable has on entry to the script: a parameter passed by a
   * caller or its default (PowerShell), the environment (bash, unknown) —
   * ignoring assignments in the script body.
   */
  resolveInput(name: string, offset: number): ResolvedValue;
}

export interface PsScriptFacts extends ScriptFactsBase {
  readonly language: 'powershell';
  readonly scan: PsScanResult;
}

export interface ShScriptFacts extends ScriptFactsBase {
  readonly language: 'bash';
  readonly scan: ShScanResult;
  /** The `sed` calls of the scripts it runs as strings (`sudo sh -c "sed -i 's/X/…/' f"`), whose offsets are theirs. */
  readonly nestedSeds?: readonly ShSed[];
  /** The host parts of the `-c` strings it runs, by quoting: a quick fix editing there must suit the outer shell. */
  readonly shellStrings?: readonly ShellStringRegion[];
}

/** Every `sed` a bash script runs, its nested `sh -c` scripts' included (their patterns, not their offsets, count). */
export function allSeds(s: ShScriptFacts): readonly ShSed[] {
  return s.nestedSeds && s.nestedSeds.length > 0 ? [...s.scan.seds, ...s.nestedSeds] : s.scan.seds;
}

export type ScriptFacts = PsScriptFacts | ShScriptFacts;

/** The hops of several substituted values, in order, each hop once (same file, offset and note). */
export function mergeChains(values: readonly ResolvedValue[]): ChainStep[] {
  if (values.length === 0) return [];
  const chain: ChainStep[] = [];
  // Chains are short (a handful of hops): a linear scan beats building a string key per hop, and this
  // runs for every setting of every config document.
  let seen: Set<string> | undefined;
  for (const v of values) {
    for (const s of v.chain) {
      if (seen === undefined && chain.length < 32) {
        if (!chain.some((c) => c === s || (c.span.start === s.span.start && c.span.file === s.span.file && c.note === s.note))) chain.push(s);
        continue;
      }
      if (seen === undefined) seen = new Set(chain.map(stepKey));
      const k = stepKey(s);
      if (!seen.has(k)) {
        seen.add(k);
        chain.push(s);
      }
    }
  }
  return chain;
}

function stepKey(s: ChainStep): string {
  return `${s.span.file}:${s.span.start}:${s.note}`;
}

/**
 * The stand-in text of a value only known at run time (`$(curl -H "Metadata-Flavor: Google" …)`,
 * `$((Invoke-RestMethod …).x)`) inside a config: the command as written, with its quotes, backslashes and line
 * breaks neutralised (same length, so positions stay put). The agent will see the command's output, never its
 * text; the text's own quotes must not end the HCL string around it (`zone = "$(curl -H "…" …)"` is one value).
 */
export function runTimeText(written: string): string {
  return written.replace(/["\\\r\n]/g, (c) => (c === '"' ? "'" : c === '\\' ? '/' : ' '));
}

/** A value read from a mapped text: its text and the chains of every substitution in it. */
export function valueOfMapped(m: MappedText, step?: ChainStep): ResolvedValue {
  const origins = m.originsIn(0, m.text.length);
  const unknownPart = origins.find((o) => o.kind === 'unknown');
  const chain = mergeChains(origins);
  if (step) chain.push(step);
  if (unknownPart && unknownPart.kind === 'unknown') return { kind: 'unknown', reason: unknownPart.reason, chain };
  const secret = origins.some((o) => o.kind === 'known' && o.secret);
  return secret ? { kind: 'known', text: m.text, chain, secret: true } : { kind: 'known', text: m.text, chain };
}

/** Lookup of files in the tree by the path a script uses (`C:\ops\config\nomad.hcl`, `$CONFIGDIR/nomad.hcl`). */
export interface TreeFileLookup {
  /** Finds a tree file by the base name of a path as written in a script (ties: the one nearest `fromFile`). */
  findByScriptPath(pathText: string, fromFile?: string): { file: string; text: MappedText } | undefined;
  /**
   * The agent config a script called earlier wrote at this exact path (`client.sh` copies
   * `nomad_client.hcl` to `/etc/nomad.d/nomad.hcl`; its caller then `sed -i`s that path).
   */
  findWritten?(pathText: string): AgentConfigDoc | undefined;
}
