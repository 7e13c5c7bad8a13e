/**
 * uploaded-script-not-run: a script a Terraform `file` provisioner uploads to a machine, which creates the agents'
 * services (or writes their configs, or starts them), and which nothing runs. A `file` provisioner only copies
 * (Terraform docs, provisioners/file: "copies files or directories from the machine running Terraform to the newly
 * created resource"; hashicorp/terraform builtin/provisioners/file applyFn only calls copyFiles), so the services are
 * never created and the agents never start: on Windows `sc.exe query "<name>"` answers
 * `[SC] EnumQueryServicesStatus:OpenService FAILED 1060: The specified service does not exist as an installed
 * service.`, on Linux `Unit nomad.service could not be found.`, and the node never appears in `nomad node status` /
 * `consul members`.
 *
 * Conservative: reported only when the tree shows the whole boot path and none of it names the script.
 * - The resource has boot commands the tree holds (`user_data`, `custom_data`, `metadata_startup_script`, …), every
 *   file its block reads is in the tree, and its image is a stock one (Azure marketplace publisher, a GCP public image
 *   project) or a Packer build of the tree: a custom image may carry a launcher of its own.
 * - No launcher the tree does not show: no `local-exec`, no remote-exec `script`/`scripts`, no other provisioner
 *   kind (chef, puppet, salt-masterless, habitat, ansible), no VM extension / run-command / SSM resource, and every
 *   remote-exec `inline` command is known.
 * - No file of the tree other than the script names it (its base name without extension, case-insensitive, outside
 *   the uploading provisioner), and none runs a wildcard of its destination directory.
 * - The destination is not an auto-run place (a Startup folder, /etc/rc.local, /etc/profile.d, /etc/cron*,
 *   cloud-init's scripts/per-boot, a systemd or init.d directory).
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { HclBlock, HclExpr } from '../../parsers/hcl/ast';
import type { Finding, RelatedInfo, Span } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';
import { serviceDefs } from './services';

const SCRIPT = /\.(ps1|sh|bash|cmd|bat)$/i;
/** Attributes whose text runs at the machine's first boot. */
const BOOT = /\b(user_data(_base64)?|custom_data|metadata_startup_script|startup-script|windows-startup-script-ps1|sysprep-specialize-script-ps1)\b/;
/** Resources that run commands on machines from outside the machine's own boot path. */
const REMOTE_RUNNERS = /(_virtual_machine_extension|_vm_extension|_machine_extension|_run_command|^aws_ssm_|^google_os_config_|_custom_script)/;
/** Stock images: Azure marketplace publishers, GCP public image projects. */
const STOCK_AZURE = /^(MicrosoftWindowsServer|MicrosoftWindowsDesktop|Canonical|OpenLogic|RedHat|Debian|SUSE|credativ)$/i;
const STOCK_GCP = /^(projects\/)?(windows-cloud|ubuntu-os-cloud|debian-cloud|centos-cloud|rhel-cloud|rocky-linux-cloud|cos-cloud|suse-cloud)\//;
/** Places whose scripts the OS runs by itself. */
const AUTORUN = /startup|\/etc\/(rc\.local|rc\.d|init\.d|profile\.d|cron)|\/cloud\/scripts\/|\/systemd\/|\/etc\/init\//i;

export const uploadedScriptNotRun: Check = {
  id: 'uploaded-script-not-run',
  category: 'service',
  severity: 'error',
  title: 'A script a Terraform file provisioner uploads (creating the agents’ services) that nothing in the tree runs',
  run(model: DeploymentModel): Finding[] {
    const tf = model.terraform;
    const uploads = tf.fileProvisioners.filter((fp) => fp.source && fp.resource.startsWith('resource.'));
    if (uploads.length === 0) return [];
    if (unknownLauncher(model)) return [];
    const out: Finding[] = [];
    for (const fp of uploads) {
      const path = tf.resolveFilePath(fp.source!, fp.dir, fp.file).path;
      if (!path || !SCRIPT.test(path)) continue;
      const src = model.files.get(path);
      if (!src) continue;
      const destination = fp.destination.kind === 'known' ? fp.destination.text : undefined;
      if (!destination || AUTORUN.test(destination.replace(/\\/g, '/'))) continue;
      const what = effects(model, path, src.text);
      if (!what) continue;
      const address = fp.resource.slice('resource.'.length);
      const res = tf.resources.get(`${fp.dir}\0${address}`);
      if (!res) continue;
      const boot = bootPath(model, res);
      if (!boot) continue;
      const stem = baseStem(path);
      const destStem = baseStem(destination);
      if (namedElsewhere(model, path, fp.file, fp.block, [stem, destStem], dirOf(destination))) continue;
      const windows = /\.(ps1|cmd|bat)$/i.test(path);
      const symptom = windows
        ? what.services.length > 0
          ? `on the machine \`sc.exe query "${what.services[0]}"\` answers "The specified service does not exist as an installed service." (FAILED 1060)`
          : 'on the machine no agent service exists'
        : what.services.length > 0
          ? `on the machine \`systemctl status ${what.services[0]}\` answers "Unit ${what.services[0]}.service could not be found."`
          : 'on the machine no agent unit exists';
      const related: RelatedInfo[] = [
        ...what.spans.slice(0, 3).map((span) => ({ span, message: 'what the script would do' })),
        { span: { file: res.file, start: res.block.typeStart, end: res.block.typeEnd }, message: `${address}: ${boot}` },
      ];
      out.push(
        finding({
          check: uploadedScriptNotRun,
          span: { file: fp.file, start: fp.source!.start, end: fp.source!.end },
          message: `${path.replace(/^.*\//, '')} is uploaded to ${destination} by a Terraform file provisioner of ${address}, but nothing in the tree runs it: a file provisioner only copies, the resource has no remote-exec that calls it, its ${boot} ${boot.includes(' and ') ? 'do' : 'does'} not, and no other script, template or image build names it. ${what.summary} never happens, so the agents never start: ${symptom}, and the node never appears in \`nomad node status\` / \`consul members\`. Run it after the upload (a remote-exec \`inline\` command such as \`${windows ? `powershell -ExecutionPolicy Bypass -File ${destination}` : `sudo bash ${destination}`}\`) or from the user data.`,
          related,
        }),
      );
    }
    return out;
  },
};

/** What the script does for the agents: the services it creates, the configs it writes, the agents it starts. */
function effects(model: DeploymentModel, path: string, text: string): { services: string[]; spans: Span[]; summary: string } | undefined {
  const defs = serviceDefs(model).filter((d) => d.file === path);
  if (defs.length > 0) {
    // serviceDefs names services in lower case: the name as the script writes it, for the message.
    const written = (d: (typeof defs)[number]) => {
      const t = model.files.get(d.span.file)?.text.slice(d.span.start, d.span.end) ?? '';
      const at = t.toLowerCase().indexOf(d.name);
      return at >= 0 ? t.slice(at, at + d.name.length) : d.name;
    };
    const names = [...new Set(defs.map(written))];
    return {
      services: names,
      spans: defs.map((d) => d.span),
      summary: `Creating the service${names.length === 1 ? '' : 's'} ${names.map((n) => `"${n}"`).join(', ')}`,
    };
  }
  const facts = model.scripts.find((s) => s.file === path);
  if (facts && facts.configDocs.length > 0) return { services: [], spans: facts.configDocs.map((d) => d.writeSpan), summary: 'Writing the agent configs' };
  const m = /\b(nomad|consul)(\.exe)?["']?\s+agent\b/i.exec(text);
  if (m) return { services: [], spans: [{ file: path, start: m.index, end: m.index + m[0].length }], summary: 'Starting the agents' };
  return undefined;
}

/**
 * The boot commands of the resource as the tree shows them (`custom_data`), or undefined when it has none, reads a
 * file the tree does not hold, or boots an image that may carry its own launcher.
 */
function bootPath(model: DeploymentModel, res: { file: string; block: HclBlock }): string | undefined {
  const tf = model.terraform;
  const text = tf.sourceOf(res.file).slice(res.block.start, res.block.end);
  const boot = [...new Set([...text.matchAll(new RegExp(BOOT.source, 'g'))].map((m) => m[1]!))];
  if (boot.length === 0) return undefined;
  if (/FirstLogonCommands/.test(text)) boot.push('FirstLogonCommands');
  for (const call of tf.fileReads) {
    if (call.file !== res.file || call.span.start < res.block.start || call.span.end > res.block.end) continue;
    const p = tf.resolveFilePath(call.pathExpr, call.dir, call.file).path;
    if (!p || !model.files.has(p)) return undefined;
  }
  if (!stockImage(model, text)) return undefined;
  return boot.join(' and ');
}

function stockImage(model: DeploymentModel, text: string): boolean {
  const publisher = /\bpublisher\s*=\s*"([^"$]+)"/.exec(text);
  if (publisher && STOCK_AZURE.test(publisher[1]!)) return true;
  const image = /\bimage\s*=\s*"([^"$]+)"/.exec(text);
  if (image && STOCK_GCP.test(image[1]!)) return true;
  // An image the tree builds: its launchers are in the tree's Packer files and scripts (searched by name).
  return model.packerFiles.length > 0 && /\b(ami|image|source_image_id|image_id)\s*=/.test(text);
}

/** Launchers the tree cannot show the commands of. */
function unknownLauncher(model: DeploymentModel): boolean {
  const tf = model.terraform;
  for (const r of tf.resources.values()) if (REMOTE_RUNNERS.test(r.address.slice(0, r.address.indexOf('.')))) return true;
  for (const f of model.terraformFiles) {
    const t = f.source.text;
    if (!/\bprovisioner\s*"/.test(t)) continue;
    for (const m of t.matchAll(/\bprovisioner\s*"([\w-]+)"/g)) if (m[1] !== 'file' && m[1] !== 'remote-exec') return true;
  }
  for (const f of model.terraformFiles) if (remoteExecScripts(f.parse.body.items)) return true;
  for (const r of tf.remoteExecInline) if (!commandShown(model, r)) return true;
  return false;
}

function remoteExecScripts(items: readonly { kind: string }[]): boolean {
  for (const i of items) {
    if (i.kind !== 'block') continue;
    const b = i as HclBlock;
    if (b.type === 'provisioner' && b.labels[0]?.value === 'remote-exec') {
      if (b.body.items.some((a) => a.kind === 'attribute' && (a.name === 'script' || a.name === 'scripts'))) return true;
    }
    if (remoteExecScripts(b.body.items)) return true;
  }
  return false;
}

/**
 * Whether the tree shows what a remote-exec command runs: its value is known, or its only unknown parts are
 * attributes of resources (`${self.private_ip}`, `${aws_instance.server.0.private_ip}`), values and not commands.
 */
function commandShown(model: DeploymentModel, r: { readonly file: string; readonly dir: string; readonly expr: HclExpr }): boolean {
  const tf = model.terraform;
  if (tf.evaluate(r.expr, r.dir, r.file).kind === 'known') return true;
  if (r.expr.type !== 'string') return false;
  return r.expr.parts.every((p) => {
    if (p.kind !== 'interpolation') return true;
    if (tf.evaluate(p.expr, r.dir, r.file).kind === 'known') return true;
    return p.expr.type === 'traversal' && (p.expr.path[0] === 'self' || /^[a-z0-9]+_[a-z0-9_]+$/.test(p.expr.path[0] ?? ''));
  });
}

/** Whether any file of the tree other than the script names it, or runs a wildcard of its directory. */
function namedElsewhere(model: DeploymentModel, script: string, tfFile: string, provisioner: HclBlock, stems: readonly string[], destDir: string): boolean {
  const names = [...new Set(stems.filter((s) => s.length > 0))];
  const dir = destDir.replace(/\\+/g, '/').toLowerCase().replace(/\/$/, '');
  for (const [file, src] of model.files) {
    if (file === script) continue;
    let text = src.text;
    if (file === tfFile) text = text.slice(0, provisioner.start) + text.slice(provisioner.end);
    const lower = text.toLowerCase();
    if (names.some((n) => lower.includes(n))) return true;
    if (dir && lower.replace(/\\+/g, '/').includes(`${dir}/*`)) return true;
  }
  return false;
}

function baseStem(p: string): string {
  const base = p.replace(/\\+/g, '/').replace(/^.*\//, '');
  return base.replace(/\.[^.]*$/, '').toLowerCase();
}

function dirOf(p: string): string {
  const n = p.replace(/\\+/g, '/');
  return n.includes('/') ? n.slice(0, n.lastIndexOf('/')) : '';
}
