/**
 * ps-config-append: a PowerShell script appends an agent config to its file
 * (`Add-Content`, `Out-File -Append`, `>>`, `[IO.File]::AppendAllText`). User data can run on every boot
 * (EC2Launch v2 frequency "always", `<persist>true</persist>`) and provisioning
 * scripts are re-run, so every run adds the block again.
 */
import type { Check } from '../check';
import { finding } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding, FixSpec } from '../../types';
import { hostText, overlaps, psScripts } from './util';

export const psConfigAppendCheck: Check = {
  id: 'ps-config-append',
  category: 'ps-expansion',
  severity: 'warning',
  title: 'A PowerShell script appends an agent config (Add-Content, Out-File -Append): every run adds the block again',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    for (const s of psScripts(model)) {
      for (const doc of s.configDocs) {
        if (!doc.append) continue;
        const w = s.scan.fileWrites.find((fw) => overlaps(s.text.toHost(fw.start, fw.end), doc.writeSpan));
        const fixes: FixSpec[] = [];
        if (w && w.via === 'Add-Content' && w.encoding) {
          const cmd = s.scan.commands.find((c) => c.nameStart >= w.start && c.nameEnd <= w.end && /^add-content$/i.test(c.name));
          if (cmd) {
            const cspan = s.text.toHost(cmd.nameStart, cmd.nameEnd);
            if (hostText(model, cspan)?.toLowerCase() === 'add-content')
              fixes.push({ title: 'Overwrite with Set-Content', edits: [{ span: cspan, newText: 'Set-Content' }] });
          }
        }
        out.push(
          finding({
            check: psConfigAppendCheck,
            span: doc.writeSpan,
            message: `${doc.via} appends to ${doc.targetPath ?? 'the agent config'}: each run adds the block again (user-data may run on every boot with EC2Launch v2 frequency "always", and re-running a provisioning script is common). The repeated blocks and keys pile up in one file, and the agent either rejects them or silently takes one copy. Write the whole file (Set-Content / [IO.File]::WriteAllText) instead of appending.`,
            fixes,
          }),
        );
      }
    }
    return out;
  },
};
