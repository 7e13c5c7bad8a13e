/**
 * image-tag-version-variable: an AMI tag records `var.nomad_version` while no
 * provisioner of that build passes the variable to its scripts (in
 * `environment_vars`, or in an inline command line) — the tag shows the
 * variable, not what was installed.
 */
import type { Finding } from '../../types';
import { packerProvisioners } from '../../packer';
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

export const imageTagVersionVariable: Check = {
  id: 'image-tag-version-variable',
  category: 'version',
  severity: 'info',
  title: 'An image tag records a Packer version variable the build never passes to its install script',
  run(model) {
    const out: Finding[] = [];
    const provs = packerProvisioners(model);
    for (const f of model.packerFiles) {
      for (const src of f.parse.body.items) {
        if (src.kind !== 'block' || src.type !== 'source') continue;
        const ref = `source.${src.labels.map((l) => l.value).join('.')}`;
        // The provisioners that run on this source: `only` / `except` may keep some of its build's off it.
        const build = provs.filter((p) => p.runsOn.some((s) => s.ref === ref));
        if (build.length === 0) continue;
        const text = (p: (typeof build)[number]) => model.files.get(p.file)?.text.slice(p.span.start, p.span.end) ?? '';
        const exprText = (file: string, e: { start: number; end: number }) => model.files.get(file)?.text.slice(e.start, e.end) ?? '';
        for (const a of src.body.items) {
          if (a.kind !== 'attribute' || !/^(tags|run_tags)$/.test(a.name) || a.value.type !== 'object') continue;
          for (const t of a.value.items) {
            const v = t.value;
            if (v.type !== 'traversal' || v.path[0] !== 'var' || !/version/i.test(v.path[1] ?? '')) continue;
            const name = v.path[1]!;
            if (!agentVersionName(name)) continue;
            const uses = new RegExp(`var\\.${name}\\b`);
            // Passed in environment_vars, or on the command line of an inline command (`sudo bash /tmp/install.sh
            // ${var.nomad_version}`): the script installs what the variable says.
            if (build.some((p) => (p.env && uses.test(text(p))) || p.inline.some((e) => uses.test(exprText(p.file, e))))) continue;
            const installer = build.find((p) => p.scripts.length > 0);
            out.push(
              finding({
                check: imageTagVersionVariable,
                span: { file: f.file, start: t.start, end: t.end },
                message:
                  `Tag ${t.name} records var.${name}, but no provisioner of this build passes var.${name} to its scripts${installer ? ` (${installer.scripts.join(', ')} at ${lineOf(model, installer.span)} decides the version itself)` : ''}. ` +
                  'The tag shows the variable, not what was installed, so Terraform selects and humans trust an image whose real version may be newer than the servers — the seed failure `rpc error: Permission denied` on `Node.GetClientAllocs`. ' +
                  `Pass var.${name} in environment_vars, or tag the version the script actually installed.`,
                related: installer ? [{ span: installer.span, message: `${installer.type} provisioner without var.${name}` }] : [],
              }),
            );
          }
        }
      }
    }
    return out;
  },
};
