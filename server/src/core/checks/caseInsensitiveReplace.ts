/**
 * What ps-replace (PowerShell `-replace`) and sed-replace (GNU sed `s/…/…/I`) share: a case-insensitive substitution
 * on an agent config template whose pattern also matches another token, typically the key of the same name
 * (`NODE_CLASS` vs `node_class`). The matches are recorded by the script models (`PlaceholderMatch`); this module
 * groups them by operator, tells the accidental ones, and words what they did to the config. The findings other rules
 * make on the text they produced are folded into the operator's finding (windows/replaceCascades.ts).
 */
import type { DeploymentModel } from '../model/deploymentModel';
import type { PlaceholderMatch } from '../scripts/scriptModel';
import type { Finding, Product, RelatedInfo, Span } from '../types';
import type { MappedText } from '../text/mappedText';
import { hostText, overlaps, where } from './windows/util';
import { unknownConfigKey } from './validity/unknownConfigKey';

/** The rules whose finding sits on a case-insensitive substitution operator and takes its cascades. */
export const REPLACE_RULES: ReadonlySet<string> = new Set(['ps-replace', 'sed-replace']);

/** The matches of one substitution operator, with the accidental ones. */
export interface ReplaceGroup {
  readonly matches: readonly PlaceholderMatch[];
  readonly accidental: readonly PlaceholderMatch[];
}

/** What a rule says about one operator's group, given the `The agent then rejects …` sentence for it. */
export type ReplaceFinding = (
  group: ReplaceGroup & { readonly op: PlaceholderMatch; readonly opText: string; readonly related: RelatedInfo[]; readonly note: string },
  rejected: string,
) => Finding;

/** One finding per case-insensitive substitution operator in `language` scripts that matched something accidentally. */
export function replaceFindings(model: DeploymentModel, language: 'powershell' | 'bash', make: ReplaceFinding): Finding[] {
  const rejected = rejectedSentences(model);
  return accidentalReplaces(model, language).map((g) =>
    make(
      {
        ...g,
        op: g.matches[0]!,
        opText: hostText(model, g.matches[0]!.opSpan) ?? '',
        related: accidentalRelated(model, g.accidental),
        note: renameNote(model, g.accidental[0]!),
      },
      rejected(g.accidental),
    ),
  );
}

/** The case-insensitive substitutions of the scripts in `language` that matched something accidentally. */
export function accidentalReplaces(model: DeploymentModel, language: 'powershell' | 'bash'): ReplaceGroup[] {
  const out: ReplaceGroup[] = [];
  for (const s of model.scripts) {
    if (s.language !== language) continue;
    const byOp = new Map<string, PlaceholderMatch[]>();
    for (const m of s.placeholderMatches) {
      if (m.caseSensitive) continue;
      const k = `${m.opSpan.file}:${m.opSpan.start}`;
      byOp.set(k, [...(byOp.get(k) ?? []), m]);
    }
    for (const ms of byOp.values()) {
      const accidental = ms.filter((m) => isAccidental(model, m));
      if (accidental.length > 0) out.push({ matches: ms, accidental });
    }
  }
  return out;
}

/**
 * A match the placeholder did not mean. sed: one that matched only because case was ignored (its pattern matches the
 * text case-sensitively otherwise, `caseOnly`). PowerShell: another case of the pattern, or an HCL key.
 */
export function isAccidental(model: DeploymentModel, m: PlaceholderMatch): boolean {
  if (m.caseSensitive) return false;
  if (m.caseOnly !== undefined) return m.caseOnly;
  return m.matched !== m.pattern || isHclKey(model, m.matchSpan);
}

/** Related information: each accidental match in the template. */
export function accidentalRelated(model: DeploymentModel, accidental: readonly PlaceholderMatch[]): RelatedInfo[] {
  return accidental.map((m) => ({
    span: m.matchSpan,
    message: `"${m.matched}" also matches '${m.pattern}' here${isHclKey(model, m.matchSpan) ? ' (an HCL key)' : ''}`,
  }));
}

/** `the key node_class (client.hcl:5:3) is renamed to client.gpu = "gpu": the setting node_class is lost…`. */
export function renameNote(model: DeploymentModel, first: PlaceholderMatch): string {
  const renamed = resultingEntry(model, first.matchSpan);
  const becomes = renamed?.text;
  return isHclKey(model, first.matchSpan)
    ? `the key ${first.matched} (${where(model, first.matchSpan)}) is renamed${becomes ? ` to ${becomes}` : ' to the replacement value'}: the setting ${first.matched} is lost${/^node_class$/i.test(first.matched) && renamed?.product !== 'consul' ? ' (the node class, so jobs constrained on ${node.class} never place)' : ''}`
    : `"${first.matched}" at ${where(model, first.matchSpan)} is rewritten too`;
}

/**
 * ` The agent then rejects the renamed key: …` for a group's accidental matches, from unknown-config-key's own
 * judgement (its findings on the text a script step rewrote), computed once per call of the returned function's
 * owner and only when some replace renames a key: named whatever that rule's severity.
 */
export function rejectedSentences(model: DeploymentModel): (accidental: readonly PlaceholderMatch[]) => string {
  let unknownKeys: Finding[] | undefined;
  return (accidental) => {
    if (!accidental.some((m) => isHclKey(model, m.matchSpan))) return '';
    unknownKeys ??= unknownConfigKey.run(model).filter((f) => f.message.includes('a script step rewrote it'));
    const spans = accidental.map((m) => m.matchSpan);
    return rejectedSentence(unknownKeys.filter((f) => spans.some((m) => f.span.file === m.file && f.span.start >= m.start && f.span.end <= m.end)));
  };
}

/** ` The agent then rejects the renamed key: Consul refuses to start: \`invalid config key dc1\`.` from unknown-config-key findings. */
export const REJECTED = 'The agent then rejects the renamed key:';

export function rejectedSentence(unknownKeyFindings: readonly Finding[]): string {
  const said: string[] = [];
  for (const f of unknownKeyFindings) {
    const m = /(Nomad|Consul) refuses to start: `([^`]+)`/.exec(f.message);
    if (!m) continue;
    const quoted = `\`${m[2]}\``;
    if (said.some((x) => x.endsWith(quoted))) continue;
    said.push(said.length === 0 ? `${m[1]} refuses to start: ${quoted}` : quoted);
  }
  return said.length === 0 ? '' : ` ${REJECTED} ${said.join(', ')}.`;
}

/** Whether the match is an HCL attribute/block key (followed by `=` or `{`, not inside quotes). */
function isHclKey(model: DeploymentModel, span: Span): boolean {
  const text = model.files.get(span.file)?.text;
  if (!text) return false;
  const before = text.slice(text.lastIndexOf('\n', span.start - 1) + 1, span.start);
  if (!/^\s*$/.test(before)) return false;
  return /^\s*[={]/.test(text.slice(span.end, span.end + 40));
}

/** What the key became in the written config (`client.windows`) and the agent reading it, if the model knows. */
function resultingEntry(model: DeploymentModel, matchSpan: Span): { text: string; product: Product } | undefined {
  for (const role of model.roles) {
    for (const e of role.allEntries) {
      // A key's host span lies within the host range its document maps from that file: documents that map nothing
      // there are skipped without computing their keys' spans (a role holds every setting of a long script).
      if (!mapsNear(e.doc.text, matchSpan)) continue;
      if (overlaps(e.keySpan, matchSpan)) return { text: `${e.path} = ${e.display}`, product: role.product };
    }
  }
  return undefined;
}

/** Per mapped text: each host file's lowest and highest offset any segment maps from. */
const hostRanges = new WeakMap<MappedText, Map<string, { lo: number; hi: number }>>();

function mapsNear(text: MappedText, span: Span): boolean {
  let ranges = hostRanges.get(text);
  if (ranges === undefined) {
    ranges = new Map();
    for (const seg of text.segments) {
      const r = ranges.get(seg.file);
      if (r === undefined) ranges.set(seg.file, { lo: seg.hStart, hi: seg.hEnd });
      else {
        if (seg.hStart < r.lo) r.lo = seg.hStart;
        if (seg.hEnd > r.hi) r.hi = seg.hEnd;
      }
    }
    hostRanges.set(text, ranges);
  }
  const r = ranges.get(span.file);
  return r !== undefined && r.lo < span.end && span.start < r.hi;
}
