/**
 * "Sync Windows value to Linux" where the value originates: when both sides
 * receive a setting through `templatefile()` and the Windows call passes a
 * different expression (`var.consul_master_token` instead of
 * `var.consul_agent_token`), the fix edits that argument in the `.tf` file.
 */
import type { SettingEntry } from '../../agent/settings';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { HclAttribute } from '../../parsers/hcl/ast';
import type { FixSpec, Span } from '../../types';

export function templateArgument(model: DeploymentModel, e: SettingEntry): { attr: HclAttribute; file: string } | undefined {
  for (const step of e.chain) {
    if (!/^(?:templatefile\(\)|data "template_file" "[^"]*") passes /.test(step.note)) continue;
    for (const call of model.terraform.templateCalls) {
      if (call.file !== step.span.file) continue;
      for (const attr of call.vars.values()) {
        if (attr.nameStart === step.span.start && attr.end === step.span.end) return { attr, file: call.file };
      }
    }
  }
  return undefined;
}

export function syncOriginFix(model: DeploymentModel, target: SettingEntry, reference: SettingEntry, side: string): FixSpec[] {
  const t = templateArgument(model, target);
  const r = templateArgument(model, reference);
  if (!t || !r) return [];
  const tText = model.files.get(t.file)?.text.slice(t.attr.value.start, t.attr.value.end);
  const rText = model.files.get(r.file)?.text.slice(r.attr.value.start, r.attr.value.end);
  if (tText === undefined || rText === undefined || tText === rText) return [];
  const span: Span = { file: t.file, start: t.attr.value.start, end: t.attr.value.end };
  return [{ title: `Sync ${side} value: pass ${t.attr.name} = ${rText} (as the other side does) in ${t.file}`, edits: [{ span, newText: rText }] }];
}
