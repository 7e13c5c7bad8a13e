/**
 * ps-replace: a case-insensitive PowerShell `-replace` (or `-ireplace`) whose
 * placeholder also matches another token of the config template, typically
 * the key of the same name (`NODE_CLASS` vs `node_class`).
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { PlaceholderMatch } from '../../scripts/scriptModel';
import type { Finding, FixSpec, Product, RelatedInfo, Span } from '../../types';
import { hostText, overlaps, where } from './util';
import { unknownConfigKey } from '../validity/unknownConfigKey';

export const psReplaceCheck: Check = {
  id: 'ps-replace',
  category: 'ps-replace',
  severity: 'error',
  title: 'Case-insensitive -replace that also rewrites another token (e.g. the key node_class) of an agent config template',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    // What the agent says about a renamed key, from unknown-config-key's own judgement (its findings on the text a
    // script step rewrote), computed only when some replace renames a key: named here whatever that rule's severity.
    let unknownKeys: Finding[] | undefined;
    const rejectedIn = (spans: readonly Span[]): Finding[] => {
      unknownKeys ??= unknownConfigKey.run(model).filter((f) => f.message.includes('a script step rewrote it'));
      return unknownKeys.filter((f) => spans.some((m) => f.span.file === m.file && f.span.start >= m.start && f.span.end <= m.end));
    };
    for (const s of model.scripts) {
      if (s.language !== 'powershell') continue;
      const byOp = new Map<string, PlaceholderMatch[]>();
      for (const m of s.placeholderMatches) {
        if (m.caseSensitive) continue;
        const k = `${m.opSpan.file}:${m.opSpan.start}`;
        byOp.set(k, [...(byOp.get(k) ?? []), m]);
      }
      for (const ms of byOp.values()) {
        const accidental = ms.filter((m) => isAccidental(model, m));
        if (accidental.length === 0) continue;
        const op = ms[0]!;
        const opText = hostText(model, op.opSpan) ?? '';
        const opName = /^-[ic]?replace/i.exec(opText)?.[0];
        const span: Span = opName ? { file: op.opSpan.file, start: op.opSpan.start, end: op.opSpan.start + opName.length } : op.opSpan;
        const fixes: FixSpec[] = opName ? [{ title: `Use -creplace (case-sensitive)`, edits: [{ span, newText: '-creplace' }], safeForFixAll: true }] : [];
        const related: RelatedInfo[] = accidental.map((m) => ({
          span: m.matchSpan,
          message: `"${m.matched}" also matches '${m.pattern}' here${isHclKey(model, m.matchSpan) ? ' (an HCL key)' : ''}`,
        }));
        const first = accidental[0]!;
        const renamed = resultingEntry(model, first.matchSpan);
        const becomes = renamed?.text;
        // The findings of other rules on the renamed text are folded into this one by foldReplaceCascades
        // (replaceCascades.ts), which adds what a parse error says.
        const keyNote = isHclKey(model, first.matchSpan)
          ? `the key ${first.matched} (${where(model, first.matchSpan)}) is renamed${becomes ? ` to ${becomes}` : ' to the replacement value'}: the setting ${first.matched} is lost${/^node_class$/i.test(first.matched) && renamed?.product !== 'consul' ? ' (the node class, so jobs constrained on ${node.class} never place)' : ''}`
          : `"${first.matched}" at ${where(model, first.matchSpan)} is rewritten too`;
        out.push(
          finding({
            check: psReplaceCheck,
            span,
            message: `${opName ?? op.operator} '${op.pattern}' is case-insensitive in PowerShell: it replaces ${ms.length} matches, not only the placeholder — ${keyNote}.${rejectedSentence(accidental.some((m) => isHclKey(model, m.matchSpan)) ? rejectedIn(accidental.map((m) => m.matchSpan)) : [])} Use -creplace so only '${op.pattern}' is replaced.`,
            related,
            fixes,
          }),
        );
      }
    }
    return out;
  },
};

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

/** A match the placeholder did not mean: another case of it, or an HCL key. */
export function isAccidental(model: DeploymentModel, m: PlaceholderMatch): boolean {
  return !m.caseSensitive && (m.matched !== m.pattern || isHclKey(model, m.matchSpan));
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
    for (const e of role.allEntries) if (overlaps(e.keySpan, matchSpan)) return { text: `${e.path} = ${e.display}`, product: role.product };
  }
  return undefined;
}
