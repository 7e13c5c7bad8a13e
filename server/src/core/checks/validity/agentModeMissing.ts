/**
 * agent-mode-missing: a Nomad config that a script assembles by merging files (`./json_merge base.json tls.json
 * "nomad_${nomad_type}.json" > nomad.json`) enables neither server nor client mode for one of its variants. Nomad
 * refuses to start: "Must specify either server, client or dev mode for the agent." (hashicorp/nomad
 * command/agent/command.go, `IsValidConfig`: `if !(config.Server.Enabled || config.Client.Enabled)`).
 *
 * Only merges are judged: the merge names every file the merged config is made of, whereas a config directory kept
 * in the tree or written by several scripts may get its mode from a file the tree does not hold. A Nomad service
 * that passes `-server`, `-client` or `-dev` on its command line gives the mode itself, and silences the rule.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import { flattenSettings } from '../../agent/settings';
import type { Finding } from '../../types';
import { serviceDefs } from '../image/services';
import { baseName } from '../../workspace/fileKinds';

/** true / false, or undefined when a value is unknown. */
function enablesMode(configs: readonly ParsedAgentConfig[]): boolean | undefined {
  let unknown = false;
  for (const c of configs) {
    for (const e of flattenSettings(c.doc, c.parse.body)) {
      if (e.path !== 'server.enabled' && e.path !== 'client.enabled') continue;
      if (e.unknownReason) unknown = true;
      else if (e.value === true || e.value === 'true') return true;
    }
  }
  return unknown ? undefined : false;
}

export const agentModeMissing: Check = {
  id: 'agent-mode-missing',
  category: 'schema',
  severity: 'error',
  title: 'A Nomad config merged from several files enables neither server nor client mode: the agent does not start',
  run(model) {
    const out: Finding[] = [];
    const groups = new Map<string, ParsedAgentConfig[]>();
    for (const c of model.configs) {
      if (c.product !== 'nomad' || !c.doc.mergeInput) continue;
      const g = groups.get(c.doc.mergeInput.group) ?? [];
      if (!g.includes(c)) g.push(c);
      groups.set(c.doc.mergeInput.group, g);
    }
    if (groups.size === 0) return out;
    for (const def of serviceDefs(model)) {
      if (def.product !== 'nomad') continue;
      // Arguments that are not known may pass -server/-client.
      if (def.flagsUnknown !== undefined) return out;
      // The command line is the creation's, or the later `nssm set … AppParameters` / `sc.exe config binPath=` one.
      const at = def.argsSpan ?? def.span;
      const text = model.files.get(at.file)?.text.slice(at.start, at.end) ?? '';
      if (/(^|\s)--?(server|client|dev)\b/.test(text)) return out;
    }
    const reported = new Set<string>();
    for (const list of groups.values()) {
      const fixed = list.filter((c) => c.doc.mergeInput!.variant === undefined);
      const variants = list.filter((c) => c.doc.mergeInput!.variant !== undefined);
      for (const v of variants.length > 0 ? variants : [undefined]) {
        const inputs = v ? [...fixed, v] : fixed;
        if (enablesMode(inputs) !== false) continue;
        const at = v ?? fixed[fixed.length - 1]!;
        if (reported.has(at.doc.id)) continue;
        reported.add(at.doc.id);
        const names = inputs.map((c) => baseName(c.doc.targetPath ?? c.doc.hostFile)).join(', ');
        const mi = at.doc.mergeInput!;
        const which = v ? ` on the machines that pick ${baseName(v.doc.targetPath ?? '')} for ${baseName(mi.variant!)}` : '';
        out.push(
          finding({
            check: agentModeMissing,
            span: at.doc.writeSpan,
            message: `The Nomad config merged into ${mi.output} from ${names}${which} enables neither server nor client mode (no server.enabled or client.enabled = true, and no Nomad service passes -server/-client). Nomad exits at start with "Must specify either server, client or dev mode for the agent." Add client { enabled = true } (or server { enabled = true }) to the variant.`,
            related: inputs
              .filter((c) => c !== at)
              .map((c) => ({ span: c.doc.writeSpan, message: `merged with ${baseName(c.doc.targetPath ?? c.doc.hostFile)}` })),
          }),
        );
      }
    }
    return out;
  },
};
