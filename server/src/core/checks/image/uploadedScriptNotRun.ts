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
 *
 * The same for a script a Packer `file` provisioner puts into an image (see packerUploads): reported only when
 * instances of the tree boot the image and the tree shows their boot commands and every provisioner of the build.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { HclBlock, HclExpr } from '../../parsers/hcl/ast';
import type { PackerProvisioner } from '../../packer';
import { localPathCandidates, packerFileUploads, uploadedAs } from '../../packer';
import type { Finding, RelatedInfo, Span } from '../../types';
import { baseName, dirOf } from '../../workspace/fileKinds';
import { finding } from '../check';
import type { Check } from '../check';
import type { InstanceInfo } from './imageLinks';
import { imageOfProvisioner } from './imageLinks';
import { serviceDefs } from './services';

const SCRIPT = /\.(ps1|sh|bash|cmd|bat)$/i;
const WINDOWS_SCRIPT = /\.(ps1|cmd|bat)$/i;
/** Packer provisioners whose commands the tree holds (their `inline` text, their tree `script(s)`, an upload's tree file). */
const SHOWN_PACKER_STEPS = new Set(['file', 'shell', 'shell-local', 'powershell', 'windows-shell', 'windows-restart', 'breakpoint']);
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
  title: 'A script a Terraform or Packer file provisioner uploads (creating the agents’ services) that nothing in the tree runs',
  run(model: DeploymentModel): Finding[] {
    let launcher: boolean | undefined;
    const launcherUnknown = () => (launcher ??= unknownLauncher(model));
    return [...terraformUploads(model, launcherUnknown), ...packerUploads(model, launcherUnknown)];
  },
};

/** Scripts Terraform `file` provisioners upload to a resource's machine. */
function terraformUploads(model: DeploymentModel, launcherUnknown: () => boolean): Finding[] {
  const tf = model.terraform;
  const uploads = tf.fileProvisioners.filter((fp) => fp.source && fp.resource.startsWith('resource.'));
  if (uploads.length === 0) return [];
  if (launcherUnknown()) return [];
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
    if (
      namedElsewhere(
        model,
        path,
        [{ file: fp.file, start: fp.block.start, end: fp.block.end }],
        [baseStem(path), baseStem(destination)],
        destDirOf(destination),
      )
    )
      continue;
    const windows = WINDOWS_SCRIPT.test(path);
    const related: RelatedInfo[] = [
      ...what.spans.slice(0, 3).map((span) => ({ span, message: 'what the script would do' })),
      { span: { file: res.file, start: res.block.typeStart, end: res.block.typeEnd }, message: `${address}: ${boot}` },
    ];
    out.push(
      finding({
        check: uploadedScriptNotRun,
        span: { file: fp.file, start: fp.source!.start, end: fp.source!.end },
        message: `${baseName(path)} is uploaded to ${destination} by a Terraform file provisioner of ${address}, but nothing in the tree runs it: a file provisioner only copies, the resource has no remote-exec that calls it, its ${boot} ${boot.includes(' and ') ? 'do' : 'does'} not, and no other script, template or image build names it. ${what.summary} never happens, so the agents never start: ${symptom(windows, what.services)}, and the node never appears in \`nomad node status\` / \`consul members\`. Run it after the upload (a remote-exec \`inline\` command such as \`${runCommand(windows, destination)}\`) or from the user data.`,
        related,
      }),
    );
  }
  return out;
}

/**
 * Scripts a Packer `file` provisioner puts into an image ("The file Packer provisioner uploads files to machines built
 * by Packer"; running them is the job of a shell / powershell provisioner: Packer docs, provisioners/file). Reported
 * only when the tree shows every way the script could run:
 * - the image is booted by instances of the tree (an image no instance of the tree boots may be started by user
 *   data elsewhere, the usual way to run a script baked into an image: silent), and each one's boot commands are in
 *   the tree (no user data, user data written in the .tf, or `file()` / `templatefile()` of a tree file);
 * - every other provisioner of the image is one whose commands the tree holds: file uploads of tree files (a
 *   directory upload may carry a scheduled task definition or an EC2Launch config this review does not read),
 *   shell / powershell / windows-shell / shell-local with `inline` commands written out and `script(s)` in the tree,
 *   windows-restart, breakpoint; not ansible, chef, puppet, salt or any other;
 * - no launcher of the Terraform side the tree cannot show (as for Terraform uploads), and no other file names it.
 */
function packerUploads(model: DeploymentModel, launcherUnknown: () => boolean): Finding[] {
  const out: Finding[] = [];
  const uploads = packerFileUploads(model);
  for (const up of uploads) {
    const p = up.provisioner;
    const path = up.candidates.find((c) => model.files.has(c));
    if (!path || !SCRIPT.test(path) || up.destination === undefined || /\$\{|\{\{/.test(up.destination)) continue;
    const destination = uploadedAs(up.destination, path);
    if (AUTORUN.test(destination.replace(/\\/g, '/'))) continue;
    const what = effects(model, path, model.files.get(path)!.text);
    if (!what) continue;
    const image = imageOfProvisioner(model, p);
    if (!image || image.instances.length === 0) continue;
    if (image.provisioners.some((q) => q !== p && !packerStepShown(model, q))) continue;
    if (!image.instances.every((i) => instanceBootShown(model, i))) continue;
    if (launcherUnknown()) continue;
    // An upload only copies: the other `file` provisioners' text (an image for the other OS uploading its own
    // install-nomad.sh) names the script without running it, unless it puts it where the OS runs it.
    const copies = uploads
      .filter((u) => u === up || (u.destination !== undefined && !/\$\{|\{\{/.test(u.destination) && !AUTORUN.test(u.destination.replace(/\\/g, '/'))))
      .map((u) => u.provisioner.span);
    if (namedElsewhere(model, path, copies, [baseStem(path), baseStem(destination)], destDirOf(destination))) continue;
    const windows = WINDOWS_SCRIPT.test(path);
    const booting = image.instances.map((i) => i.address);
    const related: RelatedInfo[] = [
      ...what.spans.slice(0, 3).map((span) => ({ span, message: 'what the script would do' })),
      { span: image.span, message: 'the build: no provisioner after the upload runs it' },
      ...image.instances.slice(0, 3).map((i) => ({
        span: i.userData?.span ?? { file: i.file, start: i.block.typeStart, end: i.block.typeEnd },
        message: `${i.address} boots the image: ${i.userData ? 'its user data does not run it' : 'it has no user data'}`,
      })),
    ];
    out.push(
      finding({
        check: uploadedScriptNotRun,
        span: { file: p.file, start: up.source.value.start, end: up.source.value.end },
        message: `${baseName(path)} is uploaded to ${destination} by a Packer file provisioner, but nothing in the tree runs it: a file provisioner only uploads, no other provisioner of the build calls it, the boot of ${booting.join(', ')} (the instance${booting.length === 1 ? '' : 's'} booting the image) does not, and no scheduled task, unit, other script or template names it. ${what.summary} never happens, so the agents never start: ${symptom(windows, what.services)}, and the node never appears in \`nomad node status\` / \`consul members\`. Run it in the build (a \`${windows ? 'powershell' : 'shell'}\` provisioner with \`inline = ["${runCommand(windows, destination)}"]\`, or \`scripts = ["${up.source.value.type === 'string' ? up.source.value.value : path}"]\` instead of the upload) or from the instances' user data.`,
        related,
      }),
    );
  }
  return out;
}

function symptom(windows: boolean, services: readonly string[]): string {
  if (windows)
    return services.length > 0
      ? `on the machine \`sc.exe query "${services[0]}"\` answers "The specified service does not exist as an installed service." (FAILED 1060)`
      : 'on the machine no agent service exists';
  return services.length > 0
    ? `on the machine \`systemctl status ${services[0]}\` answers "Unit ${services[0]}.service could not be found."`
    : 'on the machine no agent unit exists';
}

function runCommand(windows: boolean, destination: string): string {
  return windows ? `powershell -ExecutionPolicy Bypass -File ${destination}` : `sudo bash ${destination}`;
}

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
  if (!readsOnlyTree(model, res.file, res.block)) return undefined;
  if (!stockImage(model, text)) return undefined;
  return boot.join(' and ');
}

/** Whether every `file()` / `templatefile()` call inside a block reads a file of the tree. */
function readsOnlyTree(model: DeploymentModel, file: string, block: HclBlock): boolean {
  const tf = model.terraform;
  for (const call of tf.fileReads) {
    if (call.file !== file || call.span.start < block.start || call.span.end > block.end) continue;
    const p = tf.resolveFilePath(call.pathExpr, call.dir, call.file).path;
    if (!p || !model.files.has(p)) return false;
  }
  return true;
}

/**
 * Whether the tree shows what an instance booting a Packer image runs at boot: it has no boot data (`user_data`,
 * `custom_data`, `metadata_startup_script`, the `metadata` startup keys: InstanceInfo.boot), or each is written in the .tf (a heredoc or string that is more than one interpolation), or `file()` / `templatefile()` of a
 * tree file (under `base64encode` & co.); every file its block reads is in the tree. User data from a variable, a
 * local, a data source (`data.template_file.x.rendered`) or a module output is not shown.
 */
function instanceBootShown(model: DeploymentModel, inst: InstanceInfo): boolean {
  if (!readsOnlyTree(model, inst.file, inst.block)) return false;
  return inst.boot.every((b) => bootExprShown(model, inst, b.expr));
}

/** Whether one boot attribute's text is in the tree (see instanceBootShown). */
function bootExprShown(model: DeploymentModel, inst: InstanceInfo, value: HclExpr): boolean {
  let e = value;
  while (e.type === 'call' && /^(base64encode|base64gzip|chomp|trimspace)$/.test(e.name) && e.args[0]) e = e.args[0];
  if (e.type === 'string') return commandText(e.value);
  if (e.type === 'call' && (e.name === 'file' || e.name === 'templatefile') && e.args[0]) {
    const p = model.terraform.resolveFilePath(e.args[0], dirOf(inst.file), inst.file).path;
    return !!p && model.files.has(p);
  }
  return false;
}

/** Text with some command of its own: what is left once `${…}` / `{{…}}` substitutions are taken out is not blank. */
function commandText(text: string): boolean {
  return text.replace(/\$\{[^}]*\}|\{\{[^}]*\}\}/g, '').trim().length > 0;
}

/**
 * Whether the tree holds what another provisioner of the image does: an upload of a tree file (not a directory, not
 * a file generated during the build), a shell / powershell / windows-shell / shell-local step whose `script(s)` are
 * tree files and whose `inline` commands and `*_command` templates are written out, a windows-restart, a breakpoint.
 * Anything else (ansible, chef, puppet, salt…) may run the script in ways the tree does not show.
 */
function packerStepShown(model: DeploymentModel, q: PackerProvisioner): boolean {
  if (!SHOWN_PACKER_STEPS.has(q.type)) return false;
  const attrs = q.block.body.items.filter((i) => i.kind === 'attribute');
  if (q.type === 'file' && attrs.some((a) => a.name === 'generated')) return false;
  for (const a of attrs) {
    if (a.name === 'inline' && a.value.type !== 'list') return false;
    // Uploaded `content` is shown only when written out (`file("task.xml")` may read a file this review does not).
    if (a.name === 'content' && (a.value.type !== 'string' || /\b(file|templatefile)\s*\(/.test(a.value.value))) return false;
    if (/command$/.test(a.name) && (a.value.type !== 'string' || !commandText(a.value.value))) return false;
  }
  if (!q.inline.every((e, i) => q.inlineValues[i]?.kind === 'known' || (e.type === 'string' && commandText(e.value)))) return false;
  const wanted = q.type === 'file' ? ['source', 'sources'] : ['script', 'scripts'];
  const named = attrs.filter((a) => wanted.includes(a.name)).reduce((n, a) => n + (a.value.type === 'list' ? a.value.items.length : 1), 0);
  if (q.localPaths.length < named && !(q.type === 'file' && attrs.some((a) => a.name === 'direction'))) return false;
  return q.localPaths.every((lp) => {
    if (lp.directory || lp.value.kind !== 'known') return false;
    const { candidates, readings } = localPathCandidates(dirOf(q.file), lp.value.text, lp.fromRoot ? 'tree' : 'cwd');
    return [...candidates, ...readings].some((c) => model.files.has(c));
  });
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

/**
 * Whether any file of the tree other than the script names it, or runs a wildcard of its directory. `uploads`: the
 * provisioner blocks that only copy it (left out of their files' text).
 */
function namedElsewhere(model: DeploymentModel, script: string, uploads: readonly Span[], stems: readonly string[], destDir: string): boolean {
  const names = [...new Set(stems.filter((s) => s.length > 0))];
  const dir = destDir.replace(/\\+/g, '/').toLowerCase().replace(/\/$/, '');
  for (const [file, src] of model.files) {
    if (file === script) continue;
    let text = src.text;
    for (const u of [...uploads].filter((x) => x.file === file).sort((a, b) => b.start - a.start)) text = text.slice(0, u.start) + text.slice(u.end);
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

function destDirOf(p: string): string {
  const n = p.replace(/\\+/g, '/');
  return n.includes('/') ? n.slice(0, n.lastIndexOf('/')) : '';
}
