/**
 * user-data-script-path: user-data calls a script at a path that does not
 * exist in the image it boots: no file of the tree has that name, or the
 * Packer `file` provisioner uploads the file somewhere else
 * (`source = "../shared"`, `destination = "C:/ops"` puts
 * `shared/packer/scripts/client.ps1` at `C:/ops/shared/packer/scripts/client.ps1`).
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { ScriptInvocation } from '../../scripts/scriptModel';
import type { Finding, RelatedInfo, Span } from '../../types';
import { baseName } from '../../workspace/fileKinds';
import { finding } from '../check';
import type { Check } from '../check';
import { buildsOf, instanceInfos } from './imageLinks';
import { lineOf, normPath } from './shared';

function pathSpan(model: DeploymentModel, inv: ScriptInvocation): Span {
  const src = model.files.get(inv.span.file)?.text ?? '';
  const i = src.slice(inv.span.start, inv.span.end).indexOf(inv.scriptPathText);
  return i >= 0 ? { file: inv.span.file, start: inv.span.start + i, end: inv.span.start + i + inv.scriptPathText.length } : inv.span;
}

function isAbsolute(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('/');
}

export const userDataScriptPath: Check = {
  id: 'user-data-script-path',
  category: 'service',
  severity: 'error',
  title: 'User-data calls a script path that does not exist in the image (no such file, or uploaded elsewhere by the Packer file provisioner)',
  run(model) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const inst of instanceInfos(model)) {
      if (inst.userDataTemplates.length === 0) continue;
      const builds = buildsOf(model, inst);
      const uploads = builds.flatMap((b) => b.uploads);
      if (uploads.length === 0) continue;
      for (const s of model.scripts) {
        if (!inst.userDataTemplates.includes(s.file)) continue;
        const win = s.language === 'powershell';
        for (const inv of s.invocations) {
          const path = inv.scriptPathText;
          if (path.includes('$') || !isAbsolute(path)) continue;
          const key = `${inv.span.file}:${inv.span.start}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const span = pathSpan(model, inv);
          const related: RelatedInfo[] = uploads.map((u) => ({ span: u.span, message: `file provisioner uploads ${u.treePath}/ to ${u.remotePath}/` }));
          const same = [...model.files.keys()].filter((f) => baseName(f).toLowerCase() === inv.scriptBaseName);
          if (same.length === 0) {
            out.push(
              finding({
                check: userDataScriptPath,
                span,
                message:
                  `User-data of ${inst.address} runs ${path}, but no file named ${baseName(path)} exists in the tree, so the images (${uploads.map((u) => `${u.treePath}/ → ${u.remotePath}/`).join(', ')}) cannot contain it. ` +
                  (win
                    ? `PowerShell fails with \`The term '${path}' is not recognized as the name of a cmdlet, function, script file, or operable program\``
                    : `bash fails with \`${path}: No such file or directory\``) +
                  ': the agent config is never written and the node never joins. Call the script by the path the file provisioner uploads it to.',
                related,
              }),
            );
            continue;
          }
          const remote: Array<{ path: string; tree: string }> = [];
          for (const f of same)
            for (const u of uploads) if (f.startsWith(`${u.treePath}/`)) remote.push({ path: `${u.remotePath}${f.slice(u.treePath.length)}`, tree: f });
          if (remote.length === 0) continue;
          const want = normPath(path, win);
          if (remote.some((r) => normPath(r.path, win) === want)) continue;
          const shown = remote.map((r) => (win ? r.path.replace(/\//g, '\\') : r.path));
          out.push(
            finding({
              check: userDataScriptPath,
              span,
              message:
                `User-data of ${inst.address} runs ${path}, but the image has ${baseName(path)} at ${shown.join(' or ')} (${remote.map((r) => r.tree).join(', ')} uploaded by the Packer file provisioner at ${lineOf(model, uploads[0]!.span)}). ` +
                (win
                  ? `PowerShell fails with \`The term '${path}' is not recognized as the name of a cmdlet, function, script file, or operable program\``
                  : `bash fails with \`${path}: No such file or directory\``) +
                `: the agent config is never written and the node never joins. Call ${shown[0]}.`,
              related,
            }),
          );
        }
      }
    }
    return out;
  },
};
