/**
 * image-ec2launch-not-reset: a Windows Packer build whose AMI boots instances
 * that rely on user-data at first boot, but that never resets the launch
 * agent's run-once state (EC2Launch v2 `EC2Launch.exe reset`, EC2Launch v1
 * `InitializeInstance.ps1 -Schedule`, or a sysprep). The build instance already
 * ran its own first boot; the image records that, and instances launched from
 * it may skip user-data.
 *
 * Fires only when the tree links the two: a Windows build (WinRM communicator
 * or PowerShell provisioners) whose `ami_name` matches the `data "aws_ami"`
 * name filter of an instance / launch template with `user_data`.
 */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, RelatedInfo } from '../../types';
import { finding } from '../check';
import type { Check } from '../check';
import type { BuildInfo } from './imageLinks';
import { buildInfos, instancesOf } from './imageLinks';
import { scriptsOfProvisioner } from './shared';

const RESETS: readonly RegExp[] = [
  /ec2launch(?:\.exe)?['"]?\s+(?:reset|sysprep)\b/i,
  /InitializeInstance\.ps1['"]?[^\n]*-Schedule\b/i,
  /SysprepInstance\.ps1/i,
  /\bsysprep(?:\.exe)?\b/i,
];

/**
 * Everything the build runs or says for this image, as text: its block (without the provisioners `only` / `except`
 * keep off this image: a reset run on one Windows source does not reset another) and the scripts its provisioners run.
 */
function buildTexts(model: DeploymentModel, b: BuildInfo): string[] {
  const src = model.files.get(b.file)?.text ?? '';
  let block = '';
  let at = b.span.start;
  // The provisioner's body: a JSON provisioner's block starts at the `"provisioners"` key, before its siblings.
  for (const p of [...b.skipped].sort((x, y) => x.block.body.start - y.block.body.start)) {
    block += src.slice(at, p.block.body.start);
    at = Math.max(at, p.block.body.end);
  }
  const out = [block + src.slice(at, b.span.end)];
  for (const p of b.provisioners) for (const s of scriptsOfProvisioner(model, p)) out.push(s.text.text);
  return out;
}

export const imageEc2launchNotReset: Check = {
  id: 'image-ec2launch-not-reset',
  category: 'state',
  severity: 'warning',
  title: 'A Windows image whose instances rely on user-data is captured without resetting EC2Launch (run-once state baked)',
  run(model) {
    const out: Finding[] = [];
    for (const b of buildInfos(model)) {
      if (!b.windows) continue;
      // EC2Launch is the AWS launch agent: instances of the other clouds run their boot data with their own agents.
      const insts = instancesOf(model, b).filter((i) => i.cloud === 'aws' && i.userData);
      if (insts.length === 0) continue;
      if (buildTexts(model, b).some((t) => RESETS.some((re) => re.test(t)))) continue;
      // `<persist>true</persist>` user-data runs at every boot: the run-once state does not gate it.
      const persistent = insts.every((i) => i.userDataTemplates.some((t) => /<persist>\s*true\s*<\/persist>/i.test(model.files.get(t)?.text ?? '')));
      if (persistent) continue;
      const related: RelatedInfo[] = [];
      for (const n of b.images) if (n.kind === 'ami') related.push({ span: n.span, message: 'AMI name of this build' });
      for (const i of insts) {
        if (i.imageSpan) related.push({ span: i.imageSpan, message: `${i.address} selects this AMI by name` });
        related.push({ span: i.userData!.span, message: `${i.address} passes user_data, expected to run at first boot` });
      }
      out.push(
        finding({
          check: imageEc2launchNotReset,
          span: b.keywordSpan,
          message:
            `This Windows Packer build produces the AMI that ${insts.map((i) => i.address).join(', ')} boot${insts.length === 1 ? 's' : ''} with user_data, but it never resets the launch agent before capture: ` +
            'no `& "$env:ProgramFiles\\Amazon\\EC2Launch\\EC2Launch.exe" reset` (EC2Launch v2), no `InitializeInstance.ps1 -Schedule` (EC2Launch v1), no sysprep. ' +
            'The build instance already ran its first-boot tasks; their run-once state ships in the image, and instances launched from it can skip the user-data script: the agent config is never written and the node never joins (nothing in the Nomad or Consul logs, only the unchanged image-time state). ' +
            "Add a last provisioner: `& 'C:/Program Files/Amazon/EC2Launch/EC2Launch.exe' reset --block` (optionally followed by `EC2Launch.exe sysprep --shutdown --block`).",
          related,
        }),
      );
    }
    return out;
  },
};
