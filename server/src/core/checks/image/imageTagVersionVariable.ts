/**
 * image-tag-version-variable: an AMI tag records `var.nomad_version` (a legacy
 * JSON template: `{{user `nomad_version`}}`) while no provisioner of that
 * build passes the variable to its scripts (in `environment_vars`, or in an
 * inline command line) — the tag shows the variable, not what was installed.
 */
import type { HclAttribute, HclBody, HclExpr } from '../../parsers/hcl/ast';
import type { Finding } from '../../types';
import type { PackerProvisioner } from '../../packer';
import { isPackerJson, packerProvisioners } from '../../packer';
import { finding } from '../check';
import type { Check } from '../check';
import { lineOf } from './shared';

/**
 * Whether a version variable is a Nomad or Consul version: its name names one of them (`nomad_version`,
 * `consul_ent_version`) or no product at all (`version`). Another tool's (`vault_version`, `consul_template_version`,
 * `envconsul_version`) or the base image's (`os_version`, which the source's AMI filter usually selects by) is not
 * what the agents run: a wrong tag there does not hide a skew between Nomad or Consul servers and clients.
 */
function agentVersionName(name: string): boolean {
  const product = name.replace(/[-_]?versions?$/i, '');
  if (product === '') return true;
  return /nomad|consul/i.test(product) && !/template|envconsul|k8s|esm|terraform/i.test(product);
}

/** The version variable a tag value records: `var.nomad_version` (HCL2), `{{user `nomad_version`}}` (JSON). */
function versionVariable(v: HclExpr, json: boolean): string | undefined {
  if (json) return v.type === 'string' ? /\{\{\s*user\s+`([^`]*version[^`]*)`\s*\}\}/i.exec(v.value)?.[1] : undefined;
  return v.type === 'traversal' && v.path[0] === 'var' && /version/i.test(v.path[1] ?? '') ? v.path[1] : undefined;
}

/** How the template refers to a variable, as a pattern for a provisioner's text and as shown in messages. */
function reference(name: string, json: boolean): { re: RegExp; shown: string } {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return json
    ? { re: new RegExp(`\\{\\{\\s*user\\s+\`${esc}\`\\s*\\}\\}`), shown: `{{user \`${name}\`}}` }
    : { re: new RegExp(`var\\.${esc}\\b`), shown: `var.${name}` };
}

/**
 * The tag entries of a source: `tags = { … }` / `run_tags = { … }` of an HCL2 `source` block (object expressions), or
 * `"tags": { … }` of a JSON builder (an object, which the JSON reader makes a block).
 */
function tagEntries(body: HclBody): HclAttribute[] {
  const out: HclAttribute[] = [];
  for (const a of body.items) {
    if (a.kind === 'attribute' && /^(tags|run_tags)$/.test(a.name) && a.value.type === 'object') out.push(...a.value.items);
    else if (a.kind === 'block' && /^(tags|run_tags)$/.test(a.type)) out.push(...a.body.items.filter((i): i is HclAttribute => i.kind === 'attribute'));
  }
  return out;
}

export const imageTagVersionVariable: Check = {
  id: 'image-tag-version-variable',
  category: 'version',
  severity: 'info',
  title: 'An image tag records a Packer version variable the build never passes to its install script',
  run(model) {
    const out: Finding[] = [];
    const provs = packerProvisioners(model);
    const text = (p: PackerProvisioner) => model.files.get(p.file)?.text.slice(p.block.body.start, p.block.body.end) ?? '';
    const exprText = (file: string, e: { start: number; end: number }) => model.files.get(file)?.text.slice(e.start, e.end) ?? '';
    for (const f of model.packerFiles) {
      const json = isPackerJson(f);
      for (const src of f.parse.body.items) {
        if (src.kind !== 'block') continue;
        // The provisioners that run on this source (a JSON builder): `only` / `except` may keep some of its build's off it.
        let build: PackerProvisioner[];
        if (json && src.type === 'builders') build = provs.filter((p) => p.file === f.file && p.runsOn.some((s) => s.settings === src.body));
        else if (!json && src.type === 'source') {
          const ref = `source.${src.labels.map((l) => l.value).join('.')}`;
          build = provs.filter((p) => p.runsOn.some((s) => s.ref === ref));
        } else continue;
        if (build.length === 0) continue;
        for (const t of tagEntries(src.body)) {
          const name = versionVariable(t.value, json);
          if (name === undefined || !agentVersionName(name)) continue;
          const { re, shown } = reference(name, json);
          // Passed in environment_vars, or on the command line of an inline command (`sudo bash /tmp/install.sh
          // ${var.nomad_version}`): the script installs what the variable says.
          if (build.some((p) => (p.env && re.test(text(p))) || p.inline.some((e) => re.test(exprText(p.file, e))))) continue;
          const installer = build.find((p) => p.scripts.length > 0);
          out.push(
            finding({
              check: imageTagVersionVariable,
              span: { file: f.file, start: t.start, end: t.end },
              message:
                `Tag ${t.name} records ${shown}, but no provisioner of this build passes ${shown} to its scripts${installer ? ` (${installer.scripts.join(', ')} at ${lineOf(model, installer.span)} decides the version itself)` : ''}. ` +
                'The tag shows the variable, not what was installed, so Terraform selects and humans trust an image whose real version may be newer than the servers — the seed failure `rpc error: Permission denied` on `Node.GetClientAllocs`. ' +
                `Pass ${shown} in environment_vars, or tag the version the script actually installed.`,
              related: installer ? [{ span: installer.span, message: `${installer.type} provisioner without ${shown}` }] : [],
            }),
          );
        }
      }
    }
    return out;
  },
};
