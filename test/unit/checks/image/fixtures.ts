/** The mixed-os example as an in-memory tree, for broken/fixed variants of it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { EXAMPLES } from './helpers';

export function mixedOs(): Record<string, string> {
  const root = path.join(EXAMPLES, 'mixed-os');
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p).split(path.sep).join('/')] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

/** Replace `from` (must occur) by `to` in one file of the tree. */
export function edit(files: Record<string, string>, file: string, from: string, to: string): Record<string, string> {
  const t = files[file];
  assert.ok(t !== undefined, `no ${file}`);
  assert.ok(t.includes(from), `${file} does not contain ${from}`);
  return { ...files, [file]: t.replace(from, to) };
}

export const WIN_PKR = 'packer/windows.pkr.hcl';
export const LIN_PKR = 'packer/linux.pkr.hcl';
export const SETUP_WIN = 'shared/packer/scripts/setup-windows.ps1';
export const CLIENT_PS1 = 'shared/packer/scripts/client.ps1';
export const UD_WIN = 'terraform/modules/aws-hashistack/templates/user-data-client-windows.ps1';
export const UD_LIN = 'terraform/modules/aws-hashistack/templates/user-data-client.sh';
export const MAIN_TF = 'terraform/modules/aws-hashistack/main.tf';
export const NOMAD_UNIT = 'shared/packer/config/nomad.service';

/** Terraform: instances booting the AMI named `hs-linux-*` (a `data "aws_ami"` name filter), with user data. */
export const linuxTf = (
  instance = `resource "aws_instance" "client" {\n  count     = 3\n  ami       = data.aws_ami.linux.id\n  user_data = templatefile("\${path.module}/user-data.sh", {})\n}\n`,
) => `data "aws_ami" "linux" {
  most_recent = true
  owners      = ["self"]

  filter {
    name   = "name"
    values = ["hs-linux-*"]
  }
}

${instance}`;
