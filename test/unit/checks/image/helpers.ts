import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Workspace } from '../../../../server/src/core/engine';
import type { Finding } from '../../../../server/src/core/types';

export const EXAMPLES = path.join(__dirname, '../../../../../examples');

export function analyze(files: Record<string, string>): { ws: Workspace; findings: readonly Finding[] } {
  const ws = new Workspace('/tmp/hsr-image-test');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return { ws, findings: r.findings };
}

export function only(findings: readonly Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

/** The span of `needle` (its n-th occurrence) in `text`. */
export function spanOf(text: string, needle: string, from = 0): { start: number; end: number } {
  const start = text.indexOf(needle, from);
  assert.ok(start >= 0, `fixture does not contain ${needle}`);
  return { start, end: start + needle.length };
}

export async function example(name: string): Promise<{ ws: Workspace; findings: readonly Finding[] }> {
  const ws = await Workspace.load(path.join(EXAMPLES, name));
  const r = ws.analyze();
  return { ws, findings: r.findings };
}

export function lineOfFinding(ws: Workspace, f: Finding): string {
  const src = ws.model!.files.get(f.span.file)!;
  return `${f.span.file}:${src.positionAt(f.span.start).line + 1}`;
}

export const VARIABLES = `variable "nomad_version" {
  type    = string
  default = "1.10.5"
}
`;

export const LINUX_PKR = `source "amazon-ebs" "linux" {
  region = "us-west-2"
}

build {
  sources = ["source.amazon-ebs.linux"]

  provisioner "shell" {
    environment_vars = [
      "NOMAD_VERSION=\${var.nomad_version}",
    ]
    script = "\${path.root}/../shared/packer/scripts/setup.sh"
  }
}
`;

export const SETUP_SH = `#!/usr/bin/env bash
set -euo pipefail
: "\${NOMAD_VERSION:?must be set}"
curl -fsSL -o /tmp/nomad.zip "https://releases.hashicorp.com/nomad/\${NOMAD_VERSION}/nomad_\${NOMAD_VERSION}_linux_amd64.zip"
`;

export const SERVER_SH = `#!/usr/bin/env bash
cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl
data_dir = "/opt/nomad/data"
server {
  enabled          = true
  bootstrap_expect = 1
}
EOF
sudo systemctl enable --now nomad
`;
