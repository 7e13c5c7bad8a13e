import assert from 'node:assert/strict';
import { Workspace } from '../../../../server/src/core/engine';
import type { AnalysisResult, AnalysisSettings } from '../../../../server/src/core/api';
import type { Finding, FixSpec, TextEditSpec } from '../../../../server/src/core/types';

export const ROOT = '/tmp/hsr-drift-test';
export const WIN = 'shared/packer/scripts/client.ps1';
export const LIN = 'shared/packer/scripts/client.sh';
export const SRV = 'shared/packer/config/nomad.hcl';

export type Files = Record<string, string>;

export function analyze(files: Files, settings: AnalysisSettings = {}): { ws: Workspace; r: AnalysisResult } {
  const ws = new Workspace(ROOT, settings);
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return { ws, r };
}

export function only(r: AnalysisResult | readonly Finding[], ruleId: string): Finding[] {
  const list = Array.isArray(r) ? (r as readonly Finding[]) : (r as AnalysisResult).findings;
  return list.filter((f) => f.ruleId === ruleId);
}

/** Applies `{span,newText}` edits to the files, in reverse order per file. */
export function applyEdits(files: Files, edits: readonly TextEditSpec[]): Files {
  const out: Files = { ...files };
  const sorted = [...edits].sort((a, b) => (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : b.span.start - a.span.start));
  for (const e of sorted) {
    const t = out[e.span.file];
    assert.ok(t !== undefined, `edit on unknown file ${e.span.file}`);
    out[e.span.file] = t.slice(0, e.span.start) + e.newText + t.slice(e.span.end);
  }
  return out;
}

export function applyFix(files: Files, fix: FixSpec): Files {
  return applyEdits(files, fix.edits);
}

/** Span of the n-th (0-based) occurrence of `needle` in `text`. */
export function spanOf(text: string, needle: string, nth = 0): { start: number; end: number } {
  let start = -1;
  for (let i = 0; i <= nth; i++) {
    start = text.indexOf(needle, start + 1);
    assert.ok(start >= 0, `fixture does not contain ${needle} (#${i})`);
  }
  return { start, end: start + needle.length };
}

export function assertSpan(f: Finding, file: string, text: string, needle: string, nth = 0): void {
  const s = spanOf(text, needle, nth);
  assert.deepEqual(
    { file: f.span.file, start: f.span.start, end: f.span.end },
    { file, ...s },
    `span of ${f.ruleId}: ${JSON.stringify(f.span)} = ${JSON.stringify(text.slice(f.span.start, f.span.end))}`,
  );
}

/** Applies the first fix of `f`, re-analyses: `f` is gone and no new finding appears. */
export function assertFixWorks(files: Files, f: Finding, before: AnalysisResult): { fixed: Files; after: AnalysisResult } {
  assert.ok(f.fixes && f.fixes.length > 0, `${f.ruleId} has no fix`);
  const fixed = applyFix(files, f.fixes[0]!);
  const { r: after } = analyze(fixed);
  assert.equal(only(after, f.ruleId).filter((x) => x.span.file === f.span.file && x.message === f.message).length, 0, 'finding gone after fix');
  assert.ok(only(after, f.ruleId).length < only(before, f.ruleId).length, 'one finding fewer for the rule');
  const count = (r: AnalysisResult, id: string) => r.findings.filter((x) => x.ruleId === id).length;
  for (const x of after.findings) {
    assert.ok(count(after, x.ruleId) <= count(before, x.ruleId), `new finding after fix: ${x.ruleId} ${x.message}`);
  }
  return { fixed, after };
}

// ---------------------------------------------------------------- fixtures

export interface ClientOpts {
  /** Extra HCL at the top level of the Nomad config. */
  nomadTop?: string;
  /** Extra HCL inside `client { }`. */
  clientBody?: string;
  /** Replaces the default `server_join { retry_join = [...] }`. */
  join?: string;
  /** Consul config body (omit for no Consul config). */
  consul?: string;
}

export const DEFAULT_JOIN = 'server_join {\n    retry_join = ["provider=aws tag_key=NomadJoin tag_value=auto-join"]\n  }';

/** Linux client: bash heredoc piped to `sudo tee /etc/nomad.d/nomad.hcl`. */
export function linuxClient(o: ClientOpts = {}, pre = ''): string {
  const consul = o.consul === undefined ? '' : `cat <<EOF | sudo tee /etc/consul.d/consul.hcl\n${o.consul}\nEOF\n`;
  return `#!/usr/bin/env bash
set -euo pipefail
${pre}${consul}cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl
data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"
${o.nomadTop ?? ''}
client {
  enabled = true
  ${o.join ?? DEFAULT_JOIN}
${o.clientBody ?? ''}
}
EOF
sudo systemctl enable --now nomad
`;
}

/** Windows client: PowerShell here-string piped to `Out-File -FilePath C:\HashiCorp\Nomad\config\client.hcl -Encoding ascii`. */
export function windowsClient(o: ClientOpts = {}, pre = ''): string {
  const consul =
    o.consul === undefined
      ? ''
      : `$consulConfig = @"\n${o.consul}\n"@\n$consulConfig | Out-File -FilePath C:\\HashiCorp\\Consul\\config\\consul.hcl -Encoding ascii\n`;
  return `$ErrorActionPreference = "Stop"
${pre}${consul}$nomadConfig = @"
data_dir  = "C:/HashiCorp/Nomad/data"
bind_addr = "0.0.0.0"
${o.nomadTop ?? ''}
client {
  enabled = true
  ${o.join ?? DEFAULT_JOIN}
${o.clientBody ?? ''}
}
"@
$nomadConfig | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii
`;
}

/** Nomad server config file in the tree (Packer copies it to /etc/nomad.d). */
export function serverConfig(extra = ''): string {
  return `data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"
${extra}
server {
  enabled          = true
  bootstrap_expect = 1
}
`;
}

export function tree(o: { server?: string; linux?: string; windows?: string; extra?: Files }): Files {
  const files: Files = {};
  if (o.server !== undefined) files[SRV] = o.server;
  if (o.linux !== undefined) files[LIN] = o.linux;
  if (o.windows !== undefined) files[WIN] = o.windows;
  return { ...files, ...(o.extra ?? {}) };
}

// ---------------------------------------------------------------- Terraform chain fixture

export const KEY_A = 'LYy8NIV5hOTneYqbuc74wz2YSP4/V/p2K0G4jjpiafM=';
export const KEY_B = 'V1bIesApGczm9QvdU4Q/ODyohckyj0VXT87ak9FtjYo=';
export const TFVARS = 'terraform/control/terraform.tfvars';
export const UD_LIN = 'terraform/modules/aws-hashistack/templates/user-data-client.sh';
export const UD_WIN = 'terraform/modules/aws-hashistack/templates/user-data-client-windows.ps1';

/**
 * tfvars -> variable -> module input -> templatefile() -> user-data template -> script parameter -> heredoc/here-string.
 * `winPassesKey` decides whether the Windows user-data passes the Consul key to client.ps1.
 */
export function terraformTree(o: { winPassesKey: boolean; winScriptWritesKey?: boolean; tfvarsExtra?: string }): Files {
  const winWrites = o.winScriptWritesKey ?? o.winPassesKey;
  return {
    [TFVARS]: `retry_join         = "provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"\nconsul_encrypt_key = "${KEY_A}"\n${o.tfvarsExtra ?? ''}`,
    'terraform/control/variables.tf': `variable "retry_join" {\n  type = string\n}\n\nvariable "consul_encrypt_key" {\n  type      = string\n  sensitive = true\n}\n`,
    'terraform/control/main.tf': `module "hashistack" {\n  source             = "../modules/aws-hashistack"\n  retry_join         = var.retry_join\n  consul_encrypt_key = var.consul_encrypt_key\n}\n`,
    'terraform/modules/aws-hashistack/variables.tf': `variable "retry_join" {\n  type = string\n}\n\nvariable "consul_encrypt_key" {\n  type    = string\n  default = ""\n}\n`,
    'terraform/modules/aws-hashistack/main.tf': `resource "aws_instance" "client" {
  ami       = "ami-123"
  user_data = templatefile("\${path.module}/templates/user-data-client.sh", {
    retry_join         = var.retry_join
    consul_encrypt_key = var.consul_encrypt_key
  })
}

resource "aws_instance" "windows_client" {
  ami       = "ami-456"
  user_data = templatefile("\${path.module}/templates/user-data-client-windows.ps1", {
    retry_join = var.retry_join${o.winPassesKey ? '\n    consul_encrypt_key = var.consul_encrypt_key' : ''}
  })
}
`,
    [UD_LIN]: `#!/bin/bash\nset -euo pipefail\nbash /ops/shared/packer/scripts/client.sh \\\n  "aws" \\\n  "\${retry_join}" \\\n  "\${consul_encrypt_key}"\n`,
    [UD_WIN]: `<powershell>\n$ErrorActionPreference = "Stop"\n& C:\\ops\\shared\\packer\\scripts\\client.ps1 \`\n    -RetryJoin "\${retry_join}"${o.winPassesKey ? ' `\n    -ConsulEncryptKey "${consul_encrypt_key}"' : ''}\n</powershell>\n`,
    [LIN]: `#!/usr/bin/env bash
set -euo pipefail
CLOUD=$1
RETRY_JOIN=$2
CONSUL_ENCRYPT_KEY=$3

cat <<EOF | sudo tee /etc/consul.d/consul.hcl
datacenter = "dc1"
data_dir   = "/opt/consul/data"
retry_join = ["\${RETRY_JOIN}"]
encrypt    = "\${CONSUL_ENCRYPT_KEY}"
EOF

cat <<EOF | sudo tee /etc/nomad.d/nomad.hcl
data_dir = "/opt/nomad/data"
client {
  enabled = true
}
EOF
`,
    [WIN]: `param(
    [Parameter(Mandatory = $true)] [string] $RetryJoin${winWrites ? ',\n    [string] $ConsulEncryptKey' : ''}
)
$ErrorActionPreference = "Stop"
$consulConfig = @"
datacenter = "dc1"
data_dir   = "C:/HashiCorp/Consul/data"
retry_join = ["$RetryJoin"]${winWrites ? '\nencrypt    = "$ConsulEncryptKey"' : ''}
"@
$consulConfig | Out-File -FilePath C:\\HashiCorp\\Consul\\config\\consul.hcl -Encoding ascii

$nomadConfig = @"
data_dir = "C:/HashiCorp/Nomad/data"
client {
  enabled = true
}
"@
$nomadConfig | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii
`,
  };
}
