/**
 * Deterministic, seeded generator of benchmark workspaces shaped like a
 * monorepo of HashiStack clusters: every cluster is a full deployment
 * (Terraform root + module + templatefile user-data, Packer templates with
 * provisioners and environment_vars, bash with heredocs and `sed -i`,
 * PowerShell with HCL here-strings written by Out-File/WriteAllText and
 * `-replace` chains, agent config templates, systemd units), varied per
 * cluster (names, versions, counts, keys, extra rules/scripts/units, and the
 * planted defects of `examples/windows-only` in some clusters).
 *
 * The skeleton of a cluster is `examples/mixed-os` (or `examples/windows-only`)
 * read from the repository; the hash of those files is part of the cache key,
 * so a changed example regenerates the workspaces. Everything else comes from
 * a tiny seeded PRNG (mulberry32): same seed + same GENERATOR_VERSION + same
 * examples = byte-identical tree.
 *
 * Output: `os.tmpdir()/hsr-bench-<size>-<seed>`, reused when its manifest
 * matches. Cluster 0 always carries a ~3,000-line `client.ps1` (the file the
 * keystroke benchmark edits).
 */
import { createHash } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const GENERATOR_VERSION = 3;
export const BIG_CLIENT_PS1 = 'clusters/c000/shared/packer/scripts/client.ps1';
const MANIFEST = '.hsr-bench-manifest'; // no known extension: the engine's discovery skips it

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }
  b64key(): string {
    const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let s = '';
    for (let i = 0; i < 43; i++) s += a[Math.floor(this.next() * 64)];
    return `${s}=`;
  }
}

export interface GeneratedWorkspace {
  readonly root: string;
  readonly files: number;
  readonly bytes: number;
  readonly clusters: number;
  readonly reused: boolean;
  readonly bigClientPs1: string;
}

type Files = Map<string, string>;

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(REPO_ROOT, 'examples');

function readTree(dir: string): Files {
  const out: Files = new Map();
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const a = path.join(abs, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      if (statSync(a).isDirectory()) walk(a, r);
      else out.set(r, readFileSync(a, 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

let skeletons: { clean: Files; defective: Files; hash: string } | undefined;
function loadSkeletons(): { clean: Files; defective: Files; hash: string } {
  if (skeletons) return skeletons;
  const clean = readTree(path.join(EXAMPLES, 'mixed-os'));
  const defective = readTree(path.join(EXAMPLES, 'windows-only'));
  const h = createHash('sha256');
  for (const t of [clean, defective]) for (const [k, v] of t) h.update(k).update('\0').update(v).update('\0');
  skeletons = { clean, defective, hash: h.digest('hex').slice(0, 16) };
  return skeletons;
}

const REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const NOMAD_VERSIONS = ['1.10.5', '1.11.0', '1.11.1'];
const CONSUL_VERSIONS = ['1.20.6', '1.21.3', '1.21.4'];
const ENVS = ['prod', 'staging', 'dev', 'qa', 'perf', 'dr'];
const TEAMS = ['payments', 'search', 'ingest', 'edge', 'batch', 'ml', 'core', 'data'];

/** Extra security group rules and locals appended to the module (varied length). */
function extraRulesTf(r: Rng, name: string): string {
  const lines = [`# Extra ingress rules for ${name} (generated)`, 'locals {', `  cluster_tag = "${name}"`, `  rule_count  = ${r.int(1, 20)}`, '}', ''];
  const n = r.int(3, 14);
  for (let i = 0; i < n; i++) {
    const port = r.int(1024, 65000);
    lines.push(
      `resource "aws_security_group_rule" "extra_${i}" {`,
      `  type              = "ingress"`,
      `  description       = "service ${i} for \${local.cluster_tag}"`,
      `  from_port         = ${port}`,
      `  to_port           = ${port + r.int(0, 10)}`,
      `  protocol          = "${r.pick(['tcp', 'udp'])}"`,
      `  cidr_blocks       = ["10.${r.int(0, 255)}.0.0/16"]`,
      `  security_group_id = aws_security_group.hashistack.id`,
      '}',
      '',
    );
  }
  return lines.join('\n');
}

function monitoringModule(r: Rng, name: string): Files {
  const out: Files = new Map();
  const nVars = r.int(2, 6);
  const vars = ['retry_join', 'consul_agent_token', ...Array.from({ length: nVars }, (_, i) => `scrape_interval_${i}`)];
  out.set(
    'terraform/modules/monitoring/variables.tf',
    vars
      .map((v) =>
        v.startsWith('scrape') ? `variable "${v}" {\n  type    = string\n  default = "${r.int(5, 60)}s"\n}\n` : `variable "${v}" {\n  type = string\n}\n`,
      )
      .join('\n'),
  );
  out.set(
    'terraform/modules/monitoring/main.tf',
    [
      `resource "aws_ssm_parameter" "telemetry" {`,
      `  name  = "/${name}/telemetry/consul.hcl"`,
      `  type  = "SecureString"`,
      `  value = templatefile("\${path.module}/templates/telemetry.hcl.tftpl", {`,
      ...vars.map((v) => `    ${v} = var.${v}`),
      `  })`,
      `}`,
      '',
    ].join('\n'),
  );
  out.set(
    'terraform/modules/monitoring/templates/telemetry.hcl.tftpl',
    [
      `# Telemetry agent snippet for ${name}`,
      `retry_join = ["\${retry_join}"]`,
      '',
      'telemetry {',
      '  prometheus_retention_time = "${scrape_interval_0}"',
      '  disable_hostname          = true',
      '}',
      '',
      'acl {',
      '  tokens {',
      '    agent = "${consul_agent_token}"',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return out;
}

function extraBash(r: Rng, i: number): string {
  const svc = `sidecar${i}`;
  const lines = [
    '#!/usr/bin/env bash',
    `# Installs the ${svc} helper and its Consul service registration.`,
    'set -euo pipefail',
    '',
    `PORT=\${1:-${r.int(2000, 9000)}}`,
    'CONSUL_AGENT_TOKEN=${2:-}',
    '',
    `sudo mkdir -p /etc/${svc}`,
    `cat <<'EOF' | sudo tee /etc/consul.d/${svc}.hcl >/dev/null`,
    'service {',
    `  name = "${svc}"`,
    '  port = SERVICE_PORT',
    '  check {',
    `    http     = "http://127.0.0.1:SERVICE_PORT/health"`,
    `    interval = "${r.int(5, 30)}s"`,
    '  }',
    '}',
    'EOF',
    `sudo sed -i "s|SERVICE_PORT|\${PORT}|g" /etc/consul.d/${svc}.hcl`,
    '',
  ];
  for (let k = 0; k < r.int(2, 8); k++) {
    lines.push(`if [ -f /etc/${svc}/conf.${k} ]; then`, `  sudo sed -i -e "s|OPTION_${k}|value-${r.hex(4)}|" /etc/${svc}/conf.${k}`, 'fi');
  }
  lines.push(`sudo systemctl enable --now ${svc}`, '');
  return lines.join('\n');
}

function extraPs1(r: Rng, i: number): string {
  const svc = `sidecar${i}`;
  const lines = [
    `# Registers the ${svc} helper with the local Consul agent (Windows).`,
    'param(',
    `    [int] $Port = ${r.int(2000, 9000)}`,
    ')',
    '$ErrorActionPreference = "Stop"',
    `$ConfigFile = "C:\\HashiCorp\\Consul\\config\\${svc}.hcl"`,
    "$template = @'",
    'service {',
    `  name = "${svc}"`,
    '  port = SERVICE_PORT',
    '  tags = ["TAG_A", "TAG_B"]',
    '}',
    "'@",
    '$config = $template `',
    "    -creplace 'SERVICE_PORT', $Port `",
    `    -creplace 'TAG_A', '${r.pick(TEAMS)}' \``,
    `    -creplace 'TAG_B', '${r.pick(ENVS)}'`,
  ];
  if (r.chance(0.3)) lines.push('$config | Out-File -FilePath $ConfigFile');
  else lines.push('[IO.File]::WriteAllText($ConfigFile, $config, [Text.UTF8Encoding]::new($false))');
  lines.push('Restart-Service -Name consul -Force', '');
  return lines.join('\n');
}

function extraUnit(r: Rng, i: number): string {
  return [
    '[Unit]',
    `Description=Sidecar ${i}`,
    'Requires=network-online.target consul.service',
    'After=network-online.target consul.service',
    '',
    '[Service]',
    `ExecStart=/usr/local/bin/sidecar${i} -port ${r.int(2000, 9000)}`,
    'Restart=on-failure',
    `RestartSec=${r.int(1, 10)}`,
    `LimitNOFILE=${r.pick([65536, 1048576])}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** One PowerShell section of the big client.ps1: an HCL here-string, a -replace chain, a write. */
function psSection(r: Rng, k: number): string[] {
  const svc = `svc${k}`;
  const expandable = r.chance(0.5);
  const open = expandable ? '@"' : "@'";
  const close = expandable ? '"@' : "'@";
  const lines = [
    `# --- Service ${k} ${'-'.repeat(60)}`,
    `function Install-Service${k} {`,
    '    param([string] $Address, [string] $Token)',
    `    $path = Join-Path $ConsulConfigDir "${svc}.hcl"`,
    `    $tpl = ${open}`,
    'service {',
    `  name    = "${svc}"`,
    `  port    = ${r.int(2000, 9000)}`,
    expandable ? '  address = "$Address"' : '  address = "SERVICE_ADDRESS"',
    `  tags    = ["${r.pick(TEAMS)}", "${r.pick(ENVS)}"]`,
    '  meta {',
    `    owner   = "${r.pick(TEAMS)}"`,
    `    version = "${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}"`,
    '  }',
    '  check {',
    `    http     = "http://127.0.0.1:${r.int(2000, 9000)}/health"`,
    `    interval = "${r.int(5, 30)}s"`,
    `    timeout  = "${r.int(1, 5)}s"`,
    '  }',
    '}',
    close,
  ];
  if (expandable) lines.push('    $cfg = $tpl');
  else lines.push('    $cfg = $tpl `', "        -creplace 'SERVICE_ADDRESS', $Address `", "        -creplace 'SERVICE_TOKEN', $Token");
  if (r.chance(0.2)) lines.push('    $cfg | Out-File -FilePath $path -Encoding ascii');
  else lines.push('    [IO.File]::WriteAllText($path, $cfg, $Utf8NoBom)');
  lines.push(`    Write-Host "Registered ${svc}"`, '}', `Install-Service${k} -Address $IpAddress -Token $ConsulAgentToken`, '');
  return lines;
}

/** Grows a client.ps1 to ~`targetLines` lines with service sections inserted before the service restarts. */
export function bigClientPs1(base: string, targetLines: number, seed: number): string {
  const r = new Rng(mulberry32(seed ^ 0x5a5a));
  const lines = base.split('\n');
  let at = lines.findIndex((l) => l.startsWith('# --- Firewall'));
  if (at < 0) at = lines.length;
  const extra: string[] = [];
  let k = 0;
  while (lines.length + extra.length < targetLines) extra.push(...psSection(r, k++));
  lines.splice(at, 0, ...extra);
  return lines.join('\n');
}

function clusterFiles(r: Rng, index: number): Files {
  const sk = loadSkeletons();
  const defective = index === 0 || r.chance(0.3);
  const base = defective ? sk.defective : sk.clean;
  const env = r.pick(ENVS);
  const team = r.pick(TEAMS);
  const name = `${team}-${env}-${index}`;
  const region = r.pick(REGIONS);
  const nomad = r.pick(NOMAD_VERSIONS);
  const consul = r.pick(CONSUL_VERSIONS);
  const out: Files = new Map();
  for (const [rel, text0] of base) {
    let text = text0;
    if (rel === 'terraform/control/terraform.tfvars') {
      text = text
        .replace('name     = "hashistack"', `name     = "${name}"`)
        .replace('region   = "us-west-2"', `region   = "${region}"`)
        .replace(/client_count += \d+/, `client_count         = ${r.int(0, 12)}`)
        .replace(/windows_client_count = \d+/, `windows_client_count = ${r.int(0, 8)}`)
        .replace(/nomad_version  = "[^"]*"/, `nomad_version  = "${nomad}"`)
        .replace(/consul_version = "[^"]*"/, `consul_version = "${consul}"`)
        .replace(/consul_encrypt_key  = "[^"]*"/, `consul_encrypt_key  = "${r.b64key()}"`)
        .replace(/nomad_gossip_key    = "[^"]*"/, `nomad_gossip_key    = "${r.b64key()}"`)
        .replace(/consul_master_token = "[^"]*"/, `consul_master_token = "${r.uuid()}"`)
        .replace(/consul_agent_token  = "[^"]*"/, `consul_agent_token  = "${r.uuid()}"`);
      text += `\nmonitoring_scrape = "${r.int(5, 60)}s"\n`;
    } else if (rel === 'packer/variables.pkr.hcl') {
      text = text.replace('default     = "hashistack"', `default     = "${name}"`).replace('default = "us-west-2"', `default = "${region}"`);
    } else if (rel === 'terraform/control/main.tf') {
      text += [
        '',
        'module "monitoring" {',
        '  source = "../modules/monitoring"',
        '',
        '  retry_join         = var.retry_join',
        '  consul_agent_token = var.consul_agent_token',
        '}',
        '',
      ].join('\n');
    } else if (rel === 'terraform/control/variables.tf') {
      text += '\nvariable "monitoring_scrape" {\n  type    = string\n  default = "15s"\n}\n';
    }
    out.set(rel, text);
  }
  out.set('terraform/modules/aws-hashistack/extra_rules.tf', extraRulesTf(r, name));
  for (const [rel, text] of monitoringModule(r, name)) out.set(rel, text);
  const nExtra = r.int(0, 4);
  for (let i = 0; i < nExtra; i++) {
    out.set(`shared/packer/scripts/sidecar${i}.sh`, extraBash(r, i));
    out.set(`shared/packer/scripts/sidecar${i}.ps1`, extraPs1(r, i));
    out.set(`shared/packer/config/sidecar${i}.service`, extraUnit(r, i));
  }
  out.set(`README.md`, `# ${name}\n\nRegion ${region}, Nomad ${nomad}, Consul ${consul}.\n`);
  if (index === 0) {
    const rel = 'shared/packer/scripts/client.ps1';
    out.set(rel, bigClientPs1(out.get(rel) ?? '', 3000, index + 1));
  }
  return out;
}

/** All files of a workspace of about `size` files (cluster granularity), in memory. */
export function generateFiles(size: number, seed: number): { files: Files; clusters: number } {
  const r = new Rng(mulberry32(seed));
  const files: Files = new Map();
  let clusters = 0;
  files.set('README.md', `# Monorepo of ${size} files (generated, seed ${seed})\n`);
  while (files.size < size) {
    const cf = clusterFiles(r, clusters);
    const prefix = `clusters/c${String(clusters).padStart(3, '0')}`;
    for (const [rel, text] of cf) files.set(`${prefix}/${rel}`, text);
    clusters++;
  }
  return { files, clusters };
}

export function workspaceDir(size: number, seed: number): string {
  return path.join(os.tmpdir(), `hsr-bench-${size}-${seed}`);
}

/** Writes (or reuses) the workspace of `size` files for `seed`. */
export async function ensureWorkspace(size: number, seed: number): Promise<GeneratedWorkspace> {
  const root = workspaceDir(size, seed);
  const key = { version: GENERATOR_VERSION, seed, size, examples: loadSkeletons().hash };
  try {
    const m = JSON.parse(await fs.readFile(path.join(root, MANIFEST), 'utf8')) as typeof key & { files: number; bytes: number; clusters: number };
    if (m.version === key.version && m.seed === key.seed && m.size === key.size && m.examples === key.examples) {
      return { root, files: m.files, bytes: m.bytes, clusters: m.clusters, reused: true, bigClientPs1: BIG_CLIENT_PS1 };
    }
  } catch {
    // not generated yet
  }
  await fs.rm(root, { recursive: true, force: true });
  const { files, clusters } = generateFiles(size, seed);
  let bytes = 0;
  const dirs = new Set<string>();
  for (const rel of files.keys()) dirs.add(path.dirname(path.join(root, rel)));
  for (const d of dirs) await fs.mkdir(d, { recursive: true });
  for (const [rel, text] of files) {
    bytes += Buffer.byteLength(text);
    await fs.writeFile(path.join(root, rel), text);
  }
  await fs.writeFile(path.join(root, MANIFEST), JSON.stringify({ ...key, files: files.size, bytes, clusters }));
  return { root, files: files.size, bytes, clusters, reused: false, bigClientPs1: BIG_CLIENT_PS1 };
}

if (require.main === module) {
  const size = Number(process.argv[2] ?? 100);
  const seed = Number(process.argv[3] ?? 42);
  void ensureWorkspace(size, seed).then((w) => console.log(JSON.stringify(w)));
}
