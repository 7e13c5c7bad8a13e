/**
 * A config template's placeholder that one side never substitutes: the Linux
 * script runs `sed -i "s/IP_ADDRESS/$IP/"` but the Windows script's `-replace`
 * chain forgets it (or the other way round), so the agent receives the literal
 * `IP_ADDRESS`. Found missing on real trees (docs/real-trees.md).
 */
import type { SettingEntry } from '../../agent/settings';
import type { Finding } from '../../types';
import type { Check } from '../check';
import { finding, label } from '../check';

const PLACEHOLDER = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

const SYMPTOMS: ReadonlyArray<[RegExp, string]> = [
  [/(^|\.)(servers|retry_join|start_join)$/, '"none of the configured servers are valid" / "discovering join addresses failed"'],
  [/(^|\.)(node_class|node_pool)$/, 'jobs constrained on the node class never place ("No nodes were eligible for evaluation")'],
  [/(^|\.)(datacenter)$/, '"No nodes are available in datacenter …"'],
  [/(^|\.)(encrypt)$/, '"no installed keys could decrypt the message"'],
  [/(^|\.)(bind_addr|advertise\.|advertise_addr|address)/, 'the agent fails to bind or advertise an address it cannot parse'],
];

export const placeholderLeft: Check = {
  id: 'template-placeholder-left',
  category: 'template',
  severity: 'error',
  title: 'A config template placeholder that this side never substitutes',
  run(model) {
    const out: Finding[] = [];
    const substituted = new Map<string, string>();
    for (const s of model.scripts) for (const m of s.placeholderMatches) if (!substituted.has(m.pattern)) substituted.set(m.pattern, s.file);
    // No script substitutes a placeholder: no setting can be one left over.
    if (substituted.size === 0) return out;
    for (const role of model.roles) {
      for (const e of role.allEntries) {
        if (e.doc.via === 'config file' || e.unknownReason) continue;
        for (const token of placeholderTokens(e)) {
          const elsewhere = substituted.get(token);
          // Evidence that this document was meant to be filled in: the token is a placeholder some script
          // substitutes, and this document went through substitution itself.
          if (!elsewhere || e.doc.text.segments.every((seg) => seg.origin === undefined)) continue;
          const symptom = SYMPTOMS.find(([re]) => re.test(e.path))?.[1] ?? 'the agent receives the literal placeholder';
          out.push(
            finding({
              check: placeholderLeft,
              span: e.valueSpan,
              message: `${label(role)}: ${e.path} is still the placeholder ${token} — ${e.doc.hostFile} writes this config without substituting it, while ${elsewhere} substitutes ${token} for its own side. Expect ${symptom}.`,
              related: [{ span: e.keySpan, message: `${e.path} in ${e.doc.hostFile}` }],
            }),
          );
        }
      }
    }
    return out;
  },
};

const NONE: readonly string[] = [];

/** The placeholder-shaped values of a setting (runs for every setting of every role: no arrays for the usual none). */
function placeholderTokens(e: SettingEntry): readonly string[] {
  if (typeof e.value === 'string') return PLACEHOLDER.test(e.value.trim()) ? [e.value.trim()] : NONE;
  if (!Array.isArray(e.value)) return NONE;
  return e.value.filter((v): v is string => typeof v === 'string' && PLACEHOLDER.test(v.trim())).map((v) => v.trim());
}
