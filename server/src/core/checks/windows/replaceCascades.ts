/**
 * Findings that one case-insensitive `-replace` (or GNU sed `s/…/…/I`) causes on the text it produced (round 9B, t7): `$tpl -replace
 * 'DATACENTER', $dc` also renames the key `datacenter` to `dc1`, which `ps-replace` reports at the operator; the renamed
 * key then also gives `unknown-config-key` (one per word of the replacement) and the parser stops right after it
 * (`hcl-syntax`). Those are the same mistake: they are folded into the ps-replace finding (its related information, and
 * the agent's symptom in its message) instead of being reported on their own. A bash `sed -i 's/NODE_CLASS/gpu/I'`
 * does the same to a template and folds the same way into its sed-replace finding.
 *
 * A finding is folded when its span lies inside the template characters an accidental match rewrote (a syntax error
 * also when it starts at the first character after them on the same line), and only when no config document of the
 * model keeps those characters as written: a template another script fills in case-sensitively keeps its own findings
 * there. When the ps-replace (sed-replace) finding itself is suppressed or turned off, nothing is folded.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, RelatedInfo, Span } from '../../types';
import { isAccidental, REJECTED, REPLACE_RULES } from '../caseInsensitiveReplace';

interface Rename {
  /** The template characters the replacement rewrote. */
  readonly span: Span;
  /** `file:start` of the operator: where the ps-replace (sed-replace) finding is. */
  readonly opKey: string;
}

const renamesCache = new WeakMap<DeploymentModel, readonly Rename[]>();

function renamesOf(model: DeploymentModel): readonly Rename[] {
  const hit = renamesCache.get(model);
  if (hit) return hit;
  const found: Rename[] = [];
  for (const s of model.scripts) {
    for (const m of s.placeholderMatches) {
      if (m.matchSpan.end > m.matchSpan.start && isAccidental(model, m)) found.push({ span: m.matchSpan, opKey: `${m.opSpan.file}:${m.opSpan.start}` });
    }
  }
  // Characters some document copies verbatim are not only the replacement's product.
  const out =
    found.length === 0
      ? found
      : found.filter(
          (r) =>
            !model.configs.some((c) => c.doc.text.segments.some((g) => g.exact && g.file === r.span.file && g.hStart < r.span.end && r.span.start < g.hEnd)),
        );
  renamesCache.set(model, out);
  return out;
}

function isCascade(model: DeploymentModel, r: Rename, f: Finding): boolean {
  if (REPLACE_RULES.has(f.ruleId) || f.span.file !== r.span.file) return false;
  if (f.span.start >= r.span.start && f.span.end <= r.span.end) return true;
  if (f.ruleId !== 'hcl-syntax' || f.span.start < r.span.end) return false;
  const between = model.files.get(r.span.file)?.text.slice(r.span.end, f.span.start);
  return between !== undefined && /^[ \t]*$/.test(between);
}

/**
 * Drops the findings on text an accidental `-replace` (sed `I`) produced and folds them into that operator's ps-replace
 * (sed-replace) finding.
 * Returns `findings` itself when nothing is folded (the common case: one WeakMap probe and a loop over the matches).
 */
export function foldReplaceCascades(model: DeploymentModel, findings: readonly Finding[]): readonly Finding[] {
  const renames = renamesOf(model);
  if (renames.length === 0) return findings;
  const targets = new Map<string, Finding>();
  for (const f of findings) if (REPLACE_RULES.has(f.ruleId)) targets.set(opKeyOf(f), f);
  const folded = new Map<string, Finding[]>();
  const dropped = new Set<Finding>();
  for (const f of findings) {
    const r = renames.find((x) => targets.has(x.opKey) && isCascade(model, x, f));
    if (!r) continue;
    dropped.add(f);
    folded.set(r.opKey, [...(folded.get(r.opKey) ?? []), f]);
  }
  if (dropped.size === 0) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    if (dropped.has(f)) continue;
    const more = REPLACE_RULES.has(f.ruleId) ? folded.get(opKeyOf(f)) : undefined;
    out.push(more ? withFolded(f, more) : f);
  }
  return out;
}

/** The operator a ps-replace / sed-replace finding is on: both start their span where the operator starts. */
function opKeyOf(f: Finding): string {
  return `${f.span.file}:${f.span.start}`;
}

function withFolded(target: Finding, folded: readonly Finding[]): Finding {
  const sentences: string[] = [];
  const syntax: string[] = [];
  let others = 0;
  for (const f of folded) {
    const parse = f.ruleId === 'hcl-syntax' ? /is not valid (?:HCL|JSON): (.*?)\. The agent refuses to start/.exec(f.message) : null;
    if (parse) syntax.push(parse[1]!);
    // ps-replace names what the agent says about a renamed key itself (rejectedSentence).
    else if (!(f.ruleId === 'unknown-config-key' && target.message.includes(REJECTED))) others++;
  }
  if (syntax.length > 0)
    sentences.push(
      `The text it produced is not valid HCL either (${syntax.map((m) => `"${m}"`).join('; ')}): the agent refuses to start (\`Error loading configuration\`).`,
    );
  if (others > 0) sentences.push(`${others} more finding(s) on the renamed text are in the related information.`);
  const related: RelatedInfo[] = folded.map((f) => ({ span: f.span, message: `on the renamed text, ${f.ruleId}: ${f.message}` }));
  if (sentences.length === 0) return { ...target, related: [...target.related, ...related] };
  // Before the closing advice (` Use -creplace …`, ` Use s/…/…/ without the I flag …`).
  const at = target.message.lastIndexOf(' Use ');
  const add = ` ${sentences.join(' ')}`;
  const message = at < 0 ? `${target.message}${add}` : `${target.message.slice(0, at)}${add}${target.message.slice(at)}`;
  return { ...target, message, related: [...target.related, ...related] };
}
