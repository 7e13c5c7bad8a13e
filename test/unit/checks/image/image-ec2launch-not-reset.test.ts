import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, example, only } from './helpers';
import { MAIN_TF, UD_WIN, WIN_PKR, edit, mixedOs } from './fixtures';

const RULE = 'image-ec2launch-not-reset';
const RESET = `      "& 'C:/Program Files/Amazon/EC2Launch/EC2Launch.exe' reset --block",\n`;

function broken(): Record<string, string> {
  const files = edit(mixedOs(), WIN_PKR, RESET, '');
  // The comment above the provisioner mentions EC2Launch too; keep it, the rule looks for a command.
  return files;
}

test('Windows build without EC2Launch reset, instance with user_data on its AMI: warning on the build keyword', () => {
  const files = broken();
  const f = only(analyze(files).findings, RULE);
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
  assert.equal(f[0]!.category, 'state');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.span.file, WIN_PKR);
  const at = files[WIN_PKR]!.indexOf('build {');
  assert.deepEqual({ start: f[0]!.span.start, end: f[0]!.span.end }, { start: at, end: at + 'build'.length });
  assert.match(f[0]!.message, /aws_instance\.windows_client/);
  assert.ok(f[0]!.related.some((r) => r.span.file === MAIN_TF && r.message.includes('user_data')));
  assert.ok(f[0]!.related.some((r) => r.message === 'AMI name of this build'));
});

test('fixed: EC2Launch v2 reset, EC2Launch v1 InitializeInstance.ps1 -Schedule, or sysprep: silent', () => {
  assert.deepEqual(only(analyze(mixedOs()).findings, RULE), []);
  for (const cmd of [
    `"& C:/ProgramData/Amazon/EC2-Windows/Launch/Scripts/InitializeInstance.ps1 -Schedule",`,
    `"& \\"$env:ProgramFiles\\\\Amazon\\\\EC2Launch\\\\EC2Launch.exe\\" sysprep --shutdown",`,
  ]) {
    const files = edit(mixedOs(), WIN_PKR, RESET, `      ${cmd}\n`);
    assert.deepEqual(only(analyze(files).findings, RULE), [], cmd);
  }
});

test('limits: persistent user-data, or an instance whose AMI the tree does not link to the build: silent', () => {
  const persist = edit(broken(), UD_WIN, '</powershell>', '</powershell>\n<persist>true</persist>');
  assert.deepEqual(only(analyze(persist).findings, RULE), []);
  const unlinked = edit(broken(), MAIN_TF, 'ami                    = data.aws_ami.windows.id', 'ami                    = var.windows_ami_id');
  assert.deepEqual(only(analyze(unlinked).findings, RULE), []);
});

test('examples: silent (both builds reset EC2Launch)', async () => {
  assert.deepEqual(only((await example('mixed-os')).findings, RULE), []);
  assert.deepEqual(only((await example('windows-only')).findings, RULE), []);
});
