/**
 * template: `templatefile()` calls whose variables and template disagree, and
 * PowerShell `${…}` in a template that Terraform tries to interpolate.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import { parseTemplateWithDiagnostics } from '../../parsers/hcl/template';
import { templateVariableUses } from '../../terraform/render';
import type { Finding, Span } from '../../types';
import { where } from './util';
import { productFromPath } from '../../agent/configDoc';
import type { TemplateCall } from '../../terraform/model';
import { templateCallLabel } from '../../terraform/model';

export const templateCheck: Check = {
  id: 'template',
  category: 'template',
  severity: 'error',
  title: 'templatefile() variables vs template, and PowerShell ${…} that Terraform interpolates',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    const done = new Set<string>();
    for (const call of model.terraform.templateCalls) {
      const tpl = call.templatePath;
      if (!tpl) continue;
      const src = model.files.get(tpl);
      if (!src) continue;
      const text = src.text;
      const parsed = parseTemplateWithDiagnostics(text);
      // A Terraform 0.11 `data "template_file"` is rendered by the template provider, not by templatefile(): the
      // messages name the construct the tree uses, and that provider's errors.
      const label = templateCallLabel(call);
      const dataSource = call.templateFileData !== undefined;
      const callRel = [
        {
          span: call.span,
          message: dataSource ? `${label} — ${where(model, call.span)}` : `templatefile() call (${call.usedAs}) — ${where(model, call.span)}`,
        },
      ];
      const ps = /\.ps1$/i.test(tpl);
      const badRanges: Span[] = [];
      if (!done.has(tpl)) {
        for (const d of parsed.diagnostics) {
          const open = text.lastIndexOf('${', d.start);
          if (open < 0) continue;
          const close = text.indexOf('}', d.start);
          const end = close >= 0 && text.lastIndexOf('\n', close) < open ? close + 1 : d.end;
          const span: Span = { file: tpl, start: open, end };
          badRanges.push(span);
          const snippet = text.slice(open, end);
          out.push(
            finding({
              check: templateCheck,
              span,
              message: `${dataSource ? `The template provider renders this file for ${label}` : 'Terraform renders this file with templatefile()'} and reads ${snippet} as an interpolation: terraform plan fails with "${d.message}"${/:/.test(snippet) ? ' (Terraform: "Extra characters after interpolation expression; Template interpolation doesn\'t expect a colon at this location")' : ''}.${ps ? ' It is PowerShell syntax: escape it as $${ so PowerShell receives ${.' : ' Escape a literal ${ as $${.'}`,
              related: callRel,
              fixes: [
                { title: 'Escape as $${ (literal for Terraform)', edits: [{ span: { file: tpl, start: open, end: open }, newText: '$' }], safeForFixAll: true },
              ],
            }),
          );
        }
      }
      const uses = templateVariableUses(parsed.parts);
      const used = new Set(uses.map((u) => u.name));
      for (const u of uses) {
        // A vars argument the model cannot read through (a merge() with an unknown map, a function) may pass it.
        if (call.vars.has(u.name) || !call.varsComplete) continue;
        if (badRanges.some((b) => b.start <= u.start && u.end <= b.end)) continue;
        const span: Span = { file: tpl, start: u.start, end: u.end };
        out.push(
          finding({
            check: templateCheck,
            span,
            message: dataSource
              ? `The template uses ${u.name} but ${label} at ${where(model, call.span)} does not pass it in vars: the template provider cannot render it, so terraform plan fails ("failed to render : <template_file>:…: Unknown variable; There is no variable named "${u.name}"."; template provider 1.x, with Terraform 0.11: "unknown variable accessed: ${u.name}").${ps ? ` If \${${u.name}} is meant for PowerShell, write $\${${u.name}}.` : ''}`
              : `The template uses ${u.name} but the templatefile() call at ${where(model, call.span)} does not pass it: terraform plan fails with "Invalid value for "vars" parameter: vars map does not contain key "${u.name}"".${ps ? ` If \${${u.name}} is meant for PowerShell, write $\${${u.name}}.` : ''}`,
            related: callRel,
          }),
        );
      }
      // A `data "template_file"` whose template joins several files is one render: a value one of its files uses
      // reaches the instance, and one none uses is reported once (on the first file).
      const joined = dataSource
        ? model.terraform.templateCalls.filter((c) => c.templateFileData !== undefined && c.span.file === call.span.file && c.span.start === call.span.start)
        : [call];
      for (const [name, attr] of call.vars) {
        if (used.has(name)) continue;
        if (joined.length > 1 && (joined[0] !== call || joined.some((c) => c !== call && c.templatePath && templateUses(model, c.templatePath, name))))
          continue;
        // A value another call passes and its template uses (the other OS's or role's user-data) is drift: this
        // instance does not get it. A value no template uses is only dead code.
        // Only a template for the same agent counts (a Consul config using node_name says nothing about the Nomad one).
        const product = productFromPath(tpl, 'repository');
        // A template that embeds this one (`consul_config = local.consul_server_config` in the call of
        // `startup.sh.tpl`) and uses the value: it reaches this instance through that template.
        const reachesInstance = model.terraform.templateCalls.find(
          (c) => c !== call && c.templatePath && c.vars.has(name) && embeds(model, c, call) && templateUses(model, c.templatePath, name),
        );
        const sibling =
          !reachesInstance &&
          model.terraform.templateCalls.find(
            (c) =>
              c !== call &&
              c.templatePath &&
              c.templatePath !== tpl &&
              c.vars.has(name) &&
              // A template rendered into a local or another template's variable is part of one instance's user-data
              // (`startup.sh.tpl` embedding `nomad.sh.tpl`): that is where the value goes, not another machine.
              !/^locals?\./.test(c.usedAs) &&
              (product === undefined ||
                productFromPath(c.templatePath, 'repository') === undefined ||
                productFromPath(c.templatePath, 'repository') === product) &&
              templateUses(model, c.templatePath, name),
          );
        const passes = dataSource ? `${label} passes ${name} in vars` : `templatefile() passes ${name}`;
        out.push(
          finding({
            check: templateCheck,
            span: { file: call.file, start: attr.nameStart, end: attr.nameEnd },
            severity: sibling ? 'warning' : 'info',
            message: sibling
              ? `${passes} but ${tpl} never uses \${${name}}, while ${sibling.templatePath} (${where(model, sibling.span)}) does: the value never reaches this instance, so the setting it carries there (a gossip key, a token, a version) is missing here.`
              : reachesInstance
                ? `${passes} but ${tpl} never uses \${${name}}; ${reachesInstance.templatePath}, which embeds this render in the same user-data, uses it, so the instance gets the value: the entry is only unused here (typical of a shared vars map).`
                : `${passes} but ${tpl} never uses \${${name}} (nor does any other template of the deployment that receives it): the value is unused. Remove it from the call, or use it in the template if a setting is missing.`,
            related: [
              { span: { file: tpl, start: 0, end: 0 }, message: `template ${tpl}` },
              ...(sibling ? [{ span: sibling.span, message: `${sibling.templatePath} receives and uses ${name}` }] : []),
            ],
          }),
        );
      }
      const slot = scriptSlotMismatch(call.usedAs, tpl, text);
      if (slot)
        out.push(
          finding({ check: templateCheck, span: call.span, message: slot, related: [{ span: { file: tpl, start: 0, end: 0 }, message: `template ${tpl}` }] }),
        );
      done.add(tpl);
    }
    return out;
  },
};

/**
 * Whether the call `outer` renders the output of `inner` into its own text: `inner` is rendered into a local
 * (`usedAs` = `locals.consul_server_config`) and `outer`'s arguments reference that local, directly or through other
 * locals (`merge(local.base_user_data, …)` where `base_user_data` holds it), up to three levels.
 */
function embeds(model: DeploymentModel, outer: TemplateCall, inner: TemplateCall): boolean {
  const m = /^locals?\.([A-Za-z_][\w-]*)$/.exec(inner.usedAs);
  if (!m) return false;
  const target = m[1]!;
  const refs = (text: string) => [...text.matchAll(/\blocal\.([A-Za-z_][\w-]*)/g)].map((x) => x[1]!);
  let frontier = refs(model.terraform.sourceOf(outer.file).slice(outer.span.start, outer.span.end));
  const seen = new Set<string>();
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    if (frontier.includes(target)) return true;
    const next: string[] = [];
    for (const name of frontier) {
      if (seen.has(name)) continue;
      seen.add(name);
      const def = [...model.terraform.locals.entries()].find(([k]) => k === name || k.endsWith(`\0${name}`))?.[1];
      if (def) next.push(...refs(model.terraform.sourceOf(def.file).slice(def.attr.start, def.attr.end)));
    }
    frontier = next;
  }
  return frontier.includes(target);
}

const usesCache = new WeakMap<object, Set<string>>();

/** Whether a template file uses `${name}` (its parse is shared by the engine, so this is computed once per text). */
function templateUses(model: DeploymentModel, file: string, name: string): boolean {
  const src = model.files.get(file);
  if (!src) return false;
  let names = usesCache.get(src);
  if (names === undefined) {
    names = new Set(templateVariableUses(parseTemplateWithDiagnostics(src.text).parts).map((u) => u.name));
    usesCache.set(src, names);
  }
  return names.has(name);
}

/**
 * Google Compute Engine runs a metadata script by its key: `windows-startup-script-ps1` /
 * `sysprep-specialize-script-ps1` / `windows-shutdown-script-ps1` with PowerShell, `…-cmd` / `…-bat` with cmd.exe,
 * and `startup-script` / `shutdown-script` only on Linux guests (a Windows guest ignores them). A rendered script in
 * the wrong language for its key never configures the node.
 */
function scriptSlotMismatch(usedAs: string, tpl: string, text: string): string | undefined {
  const key = /\.metadata\.((?:windows-startup|sysprep-specialize|windows-shutdown)-script-(ps1|cmd|bat)|startup-script|shutdown-script)$/.exec(usedAs);
  if (!key) return undefined;
  const head = text.slice(0, 512).replace(/^\uFEFF/, '');
  const bash = /\.(sh|bash)(\.(tpl|tftpl|tmpl))?$/i.test(tpl) || /^#!\s*\S*\b(?:env\s+)?(?:ba|da|z|k)?sh\b/.test(head);
  const powershell = /\.ps1(\.(tpl|tftpl|tmpl))?$/i.test(tpl) || /<powershell>/i.test(head);
  const lang = key[2]?.toLowerCase();
  if (lang === 'ps1' || lang === 'cmd' || lang === 'bat') {
    if (!bash) return undefined;
    return `${key[1]} makes a Windows guest run this script with ${lang === 'ps1' ? 'PowerShell' : 'cmd.exe'}, but ${tpl} is a bash script: it fails on its first bash line and nothing after it runs, so the node never writes its agent configs (the image's placeholder config stays: the agents fail to start or join). Render the PowerShell user-data for this key.`;
  }
  if (!powershell) return undefined;
  return `${key[1]} is run only by Linux guests (a Windows guest ignores it), but ${tpl} is a PowerShell script: on a Windows instance it never runs; on Linux it fails. Use windows-startup-script-ps1 (or sysprep-specialize-script-ps1) for a Windows instance.`;
}
