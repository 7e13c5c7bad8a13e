import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workspace } from '../../../server/src/core/engine';
import { roleCount } from '../../../server/src/core/results';

const WIN = 'shared/packer/scripts/client.ps1';
const SRV = 'shared/packer/config/nomad.hcl';
const server =
  'data_dir = "/opt/nomad/data"\nserver {\n  enabled = true\n}\ntls {\n  rpc = true\n  http = true\n  ca_file = "/etc/nomad.d/ca.pem"\n  cert_file = "/etc/nomad.d/s.pem"\n  key_file = "/etc/nomad.d/s-key.pem"\n}\n';
const win = (rpc: string) =>
  `$c = @"\ndata_dir = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled = true\n  servers = ["10.0.1.10:4647"]\n}\ntls {\n  rpc = ${rpc}\n  http = true\n  ca_file = "C:/n/ca.pem"\n  cert_file = "C:/n/c.pem"\n  key_file = "C:/n/c-key.pem"\n}\n"@\n$c | Out-File -FilePath C:\\HashiCorp\\Nomad\\config\\client.hcl -Encoding ascii\n`;

test("engine: editing one file's text changes the findings (incremental)", () => {
  const ws = new Workspace('/tmp/hsr-engine');
  ws.setText(SRV, server);
  ws.setText(WIN, win('false'));
  const a = ws.analyze();
  assert.equal(a.findings.filter((f) => f.ruleId === 'tls-rpc-mismatch').length, 1);
  ws.setText(WIN, win('true'));
  const b = ws.analyze();
  assert.equal(b.findings.filter((f) => f.ruleId === 'tls-rpc-mismatch').length, 0);
  // Setting the same text again is a no-op; analysis is stable.
  ws.setText(WIN, win('true'));
  assert.deepEqual(ws.analyze().findings, b.findings);
  ws.setText(WIN, win('false'));
  assert.deepEqual(ws.analyze().findings, a.findings, 'back to the first text: same findings');
});

test('engine: deleteFile removes its roles and findings', () => {
  const ws = new Workspace('/tmp/hsr-engine');
  ws.setText(SRV, server);
  ws.setText(WIN, win('false'));
  assert.ok(ws.analyze().findings.some((f) => f.span.file === WIN));
  ws.deleteFile(WIN);
  assert.equal(ws.hasFile(WIN), false);
  const r = ws.analyze();
  assert.ok(!r.findings.some((f) => f.span.file === WIN));
  assert.deepEqual(
    r.roles.map((x) => x.id),
    ['server/nomad'],
  );
  assert.deepEqual(ws.files(), [SRV]);
});

test('engine: a binary file becomes a fileProblem, not text; text afterwards clears the problem', () => {
  const ws = new Workspace('/tmp/hsr-engine');
  ws.setBytes('shared/packer/config/nomad.hcl', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x00, 0x01]));
  const r = ws.analyze();
  assert.deepEqual(r.fileProblems, [{ file: 'shared/packer/config/nomad.hcl', reason: 'binary file (NUL bytes or mostly control characters)' }]);
  assert.equal(ws.hasFile('shared/packer/config/nomad.hcl'), false);
  ws.setText('shared/packer/config/nomad.hcl', server);
  assert.deepEqual(ws.analyze().fileProblems, []);
});

test('engine: invalid UTF-8 bytes are decoded and reported as a problem', () => {
  const ws = new Workspace('/tmp/hsr-engine');
  ws.setBytes(SRV, new Uint8Array([...Buffer.from('datacenter = "dc'), 0xc3, 0x28, ...Buffer.from('"\n')]));
  const r = ws.analyze();
  assert.equal(r.fileProblems.length, 1);
  assert.match(r.fileProblems[0]!.reason, /invalid UTF-8/);
  assert.ok(ws.hasFile(SRV));
});

test('engine: Workspace.load skips .git, node_modules and .terraform; loads the rest', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-engine-'));
  try {
    const put = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    put(SRV, server);
    put('.git/config.hcl', 'data_dir = "/x"\n');
    put('node_modules/pkg/nomad.hcl', 'data_dir = "/x"\n');
    put('terraform/.terraform/modules/m/nomad.hcl', 'data_dir = "/x"\n');
    put('terraform/main.tf', 'variable "x" {}\n');
    const ws = await Workspace.load(root);
    const files = ws.files().sort();
    assert.deepEqual(files, [SRV, 'terraform/main.tf']);
    assert.ok(!files.some((f) => /(^|\/)(\.git|node_modules|\.terraform)\//.test(f)));
    assert.equal(ws.relativePath(path.join(root, SRV)), SRV);
    assert.equal(ws.relativePath(path.join(os.tmpdir(), 'elsewhere')), undefined);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('engine: Workspace.load decodes a UTF-16 file written by Out-File', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hsr-engine-'));
  try {
    fs.mkdirSync(path.join(root, 'shared/packer/config'), { recursive: true });
    fs.writeFileSync(path.join(root, SRV), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(server, 'utf16le')]));
    const ws = await Workspace.load(root);
    assert.equal(ws.sourceText(SRV)!.text, server);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('engine: after edits along the whole chain (tfvars, .tf, templatefile template, script) the incremental analysis equals a fresh one', async () => {
  const root = path.join(__dirname, '..', '..', '..', '..', 'examples', 'windows-only');
  const ws = await Workspace.load(root);
  ws.analyze();
  const summary = (r: ReturnType<Workspace['analyze']>) => ({
    findings: r.findings.map((f) => `${f.ruleId} ${f.span.file}:${f.span.start}-${f.span.end} ${f.message}`),
    roles: r.roles.map((role) => `${role.id} ${role.settings.map((s) => `${s.path}=${s.display}`).join(';')}`),
    versions: r.versions.map((v) => `${v.product} ${v.os} ${v.version} ${v.span.file}:${v.span.start}`),
  });
  const fresh = () => {
    const other = new Workspace(root);
    for (const f of ws.files()) other.setText(f, ws.sourceText(f)!.text);
    return summary(other.analyze());
  };
  const tfvars = 'terraform/control/terraform.tfvars';
  const main = 'terraform/modules/aws-hashistack/main.tf';
  const template = 'terraform/modules/aws-hashistack/templates/user-data-client-windows.ps1';
  const script = 'shared/packer/scripts/client.ps1';
  const edits: Array<[string, (t: string) => string]> = [
    [tfvars, (t) => t.replace('tag_value=auto-join', 'tag_value=other-join')],
    [script, (t) => `# edited\n${t}`],
    // The client's node class now comes from the template itself, not from the variable.
    [template, (t) => t.replace('-NodeClass "${node_class}"', '-NodeClass "from-template"')],
    [main, (t) => t.replace('node_class         = var.windows_node_class', 'node_class         = "edited"')],
    [tfvars, (t) => t.replace('tag_value=other-join', 'tag_value=auto-join')],
    [template, (t) => t.replace('-NodeClass "from-template"', '-NodeClass "${node_class}"')],
  ];
  let changed = 0;
  let before = summary(ws.analyze());
  for (const [file, edit] of edits) {
    const text = ws.sourceText(file)!.text;
    assert.notEqual(edit(text), text, `the edit of ${file} applies`);
    ws.setText(file, edit(text));
    const now = summary(ws.analyze());
    assert.deepEqual(now, fresh(), `after editing ${file}`);
    if (JSON.stringify(now) !== JSON.stringify(before)) changed++;
    before = now;
  }
  // The edits reach the results (a test of reuse that changes nothing would prove nothing).
  assert.ok(changed >= 4, `${changed} of ${edits.length} edits changed the results`);
});

test('engine: an editing session holds a bounded number of cache entries (config documents renamed by an edit above their call are released)', () => {
  // A helper function called per service writes one config each; a document's id names the offset of its call, so a
  // line typed above the calls renames every document below it.
  const section = (k: number) =>
    `function Install-Service${k} {\n    param([string] $Address)\n    $cfg = @"\nservice {\n  name    = "svc${k}"\n  address = "$Address"\n}\n"@\n    $cfg | Out-File -FilePath "C:\\HashiCorp\\Consul\\config\\svc${k}.hcl" -Encoding ascii\n}\nInstall-Service${k} -Address 10.0.0.${k}\n`;
  const body = Array.from({ length: 20 }, (_, k) => section(k)).join('');
  const ws = new Workspace('/tmp/hsr-engine-cache');
  ws.setText(WIN, `# 0\n${body}`);
  ws.setText(SRV, server);
  const docs = ws.analyze().roles.find((r) => r.id.startsWith('windows-client'))?.settings.length ?? 0;
  assert.ok(docs > 0, 'the services are configs of a Windows role');
  const start = ws.cacheEntries();
  // Type above the calls, and in a here-string (a new text per keystroke).
  for (let i = 1; i <= 60; i++) {
    ws.setText(WIN, `# ${'x'.repeat(i)}\n${body.replace('name    = "svc3"', `name    = "svc3${'y'.repeat(i)}"`)}`);
    ws.analyze();
  }
  const end = ws.cacheEntries();
  assert.ok(end.slots <= start.slots + 2, `slots ${start.slots} -> ${end.slots}`);
  assert.ok(end.texts <= start.texts + 2, `texts ${start.texts} -> ${end.texts}`);
  assert.ok(end.scriptFacts <= start.scriptFacts + 2, `script facts ${start.scriptFacts} -> ${end.scriptFacts}`);
});

test('engine: typing in terraform.tfvars or a .tf file re-analyses the scripts Terraform renders, not the Packer scripts', async () => {
  const root = path.join(__dirname, '..', '..', '..', '..', 'examples', 'windows-only');
  const ws = await Workspace.load(root);
  ws.analyze();
  const tfvars = 'terraform/control/terraform.tfvars';
  const main = 'terraform/modules/aws-hashistack/main.tf';
  const rendered = 'terraform/modules/aws-hashistack/templates/user-data-client-windows.ps1';
  // The image's setup scripts: Packer runs them, no user data calls them (client.ps1 / client.sh are called by the
  // user data with values from the tfvars, so their callers' arguments, part of their key, do change).
  const packerScripts = ['shared/packer/scripts/setup-windows.ps1', 'shared/packer/scripts/setup.sh'];
  for (const s of packerScripts) assert.ok(ws.hasFile(s), s);
  const callees = new Set(ws.models.flatMap((m) => m.scripts.flatMap((s) => s.invocations.map((i) => i.scriptBaseName))));
  for (const s of packerScripts) assert.ok(!callees.has(s.slice(s.lastIndexOf('/') + 1).toLowerCase()), `${s} is called by a script`);
  for (const [file, edit] of [
    [tfvars, (t: string) => t.replace('tag_value=auto-join', 'tag_value=other-join')],
    [main, (t: string) => `${t}\n# typed\n`],
  ] as const) {
    ws.scriptAnalysisCount.clear();
    const text = ws.sourceText(file)!.text;
    assert.notEqual(edit(text), text);
    ws.setText(file, edit(text));
    ws.analyze();
    const analysed = [...ws.scriptAnalysisCount.keys()];
    // The user data Terraform renders: its values (and their chains into the .tf files) may have changed.
    assert.ok(analysed.includes(rendered), `${file}: ${analysed.join(', ')}`);
    for (const s of packerScripts) assert.ok(!analysed.includes(s), `${file} re-analysed ${s}`);
  }
});

test('engine: role views are built when first read, with their secrets masked, and a result counts its roles without them', () => {
  const ws = new Workspace('/tmp/hsr-engine-roles');
  const key = 'pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=';
  ws.setText(SRV, server.replace('enabled = true', `enabled = true\n  encrypt = "${key}"`));
  ws.setText(WIN, win('true'));
  const r = ws.analyze();
  const d = Object.getOwnPropertyDescriptor(r, 'roles');
  assert.ok(d && typeof d.get === 'function', 'roles is computed on first read');
  assert.equal(roleCount(r), 2);
  assert.equal(r.roles.length, 2);
  assert.strictEqual(r.roles, r.roles, 'built once');
  const json = JSON.stringify(r);
  assert.ok(json.includes('"roles":[{'), 'serialised with the rest of the result');
  assert.ok(!json.includes(key), 'the gossip key is masked in the role views too');
  const enc = r.roles.find((x) => x.kind === 'server')?.settings.find((s) => s.path === 'server.encrypt');
  assert.ok(enc?.secret && enc.value === undefined && enc.display.startsWith('••••'));
});
