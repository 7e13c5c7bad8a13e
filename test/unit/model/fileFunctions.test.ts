import { gunzipSync } from 'node:zlib';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import { runCli } from '../../../server/src/cli/main';
import { knownText, model, renderVars } from '../core/helpers';

// Terraform's file(), filebase64(), base64encode(), base64gzip() and base64decode(), evaluated on the texts of the
// tree, so that cloud-init content Terraform encodes (`content: ${base64encode(file(…))}`) is reviewed.

const CLIENT = 'region   = "us"\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n  servers = ["10.0.0.1"]\n}\n';
const SERVER_TF = [
  'resource "aws_instance" "server" {',
  '  user_data = <<-EOF',
  '    #cloud-config',
  '    write_files:',
  '      - path: /etc/nomad.d/server.hcl',
  '        content: |',
  '          region = "eu"',
  '          server {',
  '            enabled = true',
  '          }',
  '  EOF',
  '}',
  '',
].join('\n');

test('terraform functions: file() of a tree file is its text with a step at the call; filebase64, base64encode, base64gzip, base64decode; a missing file stays unknown', () => {
  const main = [
    'resource "aws_instance" "client" {',
    '  user_data = templatefile("${path.module}/user-data.sh", {',
    '    cfg        = file("${path.module}/files/client.hcl")',
    '    rel        = file("files/client.hcl")',
    '    fb         = filebase64("${path.module}/files/client.hcl")',
    '    b64        = base64encode("héllo")',
    '    gz         = base64gzip(file("${path.module}/files/client.hcl"))',
    '    dec        = base64decode("aMOpbGxv")',
    '    bad        = base64decode("not base64!")',
    '    missing    = file("${path.module}/files/nope.hcl")',
    '    gossip_key = trimspace(file("${path.module}/files/gossip.key"))',
    '  })',
    '}',
    '',
  ].join('\n');
  const { m } = model({
    'tf/main.tf': main,
    'tf/user-data.sh': '#!/bin/bash\necho "${cfg}${rel}${fb}${b64}${gz}${dec}${bad}${missing}${gossip_key}"\n',
    'tf/files/client.hcl': CLIENT,
    'tf/files/gossip.key': 'LYy8NIV5hOTneYqbuc74wz2YSP4/V/p2K0G4jjpiafM=\n',
  });
  const v = renderVars(m, 'tf/user-data.sh');
  assert.equal(knownText(v.get('cfg')), CLIENT);
  assert.equal(knownText(v.get('rel')), CLIENT, 'a relative path is from the root module');
  const cfg = v.get('cfg')!;
  assert.deepEqual(
    cfg.chain.map((s) => s.note),
    ['file() reads tf/files/client.hcl', 'templatefile() passes cfg to user-data.sh'],
  );
  const call = 'file("${path.module}/files/client.hcl")';
  assert.deepEqual(cfg.chain[0]!.span, { file: 'tf/main.tf', start: main.indexOf(call), end: main.indexOf(call) + call.length });
  assert.equal(knownText(v.get('fb')), Buffer.from(CLIENT).toString('base64'));
  assert.equal(knownText(v.get('b64')), Buffer.from('héllo', 'utf8').toString('base64'));
  assert.equal(gunzipSync(Buffer.from(knownText(v.get('gz')), 'base64')).toString('utf8'), CLIENT);
  assert.equal(knownText(v.get('dec')), 'héllo');
  assert.equal(v.get('bad')!.kind, 'unknown');
  const missing = v.get('missing')!;
  assert.equal(missing.kind, 'unknown');
  assert.match(missing.kind === 'unknown' ? missing.reason : '', /file\(\) reads tf\/files\/nope\.hcl, which is not a file of the tree/);
  // A secret-named variable stays secret through file().
  const key = v.get('gossip_key')!;
  assert.equal(knownText(key), 'LYy8NIV5hOTneYqbuc74wz2YSP4/V/p2K0G4jjpiafM=');
  assert.equal(key.kind === 'known' && key.secret, true);
});

/** The main.tf (a server in eu, a client whose cloud-init is the template) and the client's cloud-init template. */
function cloudTree(content: string, encoding: string, vars = '{ config_dir = "${path.module}/files" }'): Record<string, string> {
  return {
    'tf/main.tf': `${SERVER_TF}resource "aws_instance" "client" {\n  user_data = base64encode(templatefile("\${path.module}/cloud-init.yaml", ${vars}))\n}\n`,
    'tf/cloud-init.yaml': ['#cloud-config', 'write_files:', '- path: /etc/nomad.d/client.hcl', `  encoding: ${encoding}`, `  content: ${content}`, ''].join(
      '\n',
    ),
    'tf/files/client.hcl': CLIENT,
  };
}

test('cloud-init from a templatefile(): write_files content `${base64encode(file(…))}` (b64) and `${base64gzip(file(…))}` (gz+b64) is the client config; its drift is reported on the content', () => {
  for (const [fn, encoding] of [
    ['base64encode', 'b64'],
    ['base64gzip', 'gz+b64'],
  ] as const) {
    for (const content of [`\${${fn}(file("\${config_dir}/client.hcl"))}`, `\${${fn}(file("files/client.hcl"))}`]) {
      const files = cloudTree(content, encoding);
      const { r, m } = model(files);
      assert.deepEqual(r.roles.map((x) => `${x.kind}/${x.product}`).sort(), ['linux-client/nomad', 'server/nomad'], content);
      const doc = m.configs.map((c) => c.doc).find((d) => d.targetPath === '/etc/nomad.d/client.hcl');
      assert.ok(doc, content);
      assert.equal(doc.text.text, CLIENT);
      const f = r.findings.filter((x) => x.ruleId === 'region-mismatch');
      assert.equal(f.length, 1, content);
      const yaml = files['tf/cloud-init.yaml']!;
      assert.deepEqual(
        { file: f[0]!.span.file, start: f[0]!.span.start, end: f[0]!.span.end },
        { file: 'tf/cloud-init.yaml', start: yaml.indexOf(content), end: yaml.indexOf(content) + content.length },
      );
    }
  }
});

test('cloud-init in an inline heredoc: `${base64gzip(file("${path.module}/…"))}` is read; in a template, `${path.module}` is not a variable Terraform gives it', () => {
  const inline = [
    SERVER_TF,
    'resource "aws_instance" "client" {',
    '  user_data = <<-EOF',
    '    #cloud-config',
    '    write_files:',
    '      - path: /etc/nomad.d/client.hcl',
    '        encoding: gz+b64',
    '        content: ${base64gzip(file("${path.module}/files/client.hcl"))}',
    '  EOF',
    '}',
    '',
  ].join('\n');
  const { r } = model({ 'tf/main.tf': inline, 'tf/files/client.hcl': CLIENT });
  const f = r.findings.filter((x) => x.ruleId === 'region-mismatch');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.span.file, 'tf/main.tf');
  const content = '${base64gzip(file("${path.module}/files/client.hcl"))}';
  assert.equal(inline.slice(f[0]!.span.start, f[0]!.span.end), content);
  // templatefile() gives its template the vars it passes and nothing else (no path.module): no document, no guess.
  const { m } = model(cloudTree('${base64encode(file("${path.module}/files/client.hcl"))}', 'b64', '{}'));
  assert.equal(
    m.configs.some(({ doc: d }) => d.targetPath === '/etc/nomad.d/client.hcl'),
    false,
  );
});

test('cloud-init file() content: a gossip key in the file read is masked in findings, hovers and the CLI JSON', async () => {
  const keyA = 'LYy8NIV5hOTneYqbuc74wz2YSP4/V/p2K0G4jjpiafM=';
  const keyB = 'V1bIesApGczm9QvdU4Q/ODyohckyj0VXT87ak9FtjYo=';
  const consulOf = (key: string) => `encrypt    = "${key}"\ndatacenter = "dc1"\ndata_dir   = "/opt/consul"\nretry_join = ["10.0.0.1"]\n`;
  const consul = consulOf(keyA);
  const content = '${base64gzip(file("files/consul.hcl"))}';
  const files: Record<string, string> = {
    'tf/main.tf': 'resource "aws_instance" "client" {\n  user_data = templatefile("${path.module}/cloud-init.yaml", {})\n}\n',
    'tf/cloud-init.yaml': [
      '#cloud-config',
      'write_files:',
      '- path: /etc/consul.d/consul.hcl',
      '  encoding: gz+b64',
      `  content: ${content}`,
      // A Windows client with another key: the keys differ, so gossip-consul-encrypt shows both (masked).
      "- path: 'C:\\HashiCorp\\Consul\\config\\consul.hcl'",
      '  encoding: b64',
      '  content: ${base64encode(file("files/consul-windows.hcl"))}',
      '',
    ].join('\n'),
    'tf/files/consul.hcl': consul,
    'tf/files/consul-windows.hcl': consulOf(keyB),
  };
  const { ws, r, m } = model(files);
  assert.ok(m.configs.some(({ doc: d }) => d.targetPath === '/etc/consul.d/consul.hcl' && d.text.text === consul));
  const f = r.findings.filter((x) => x.ruleId === 'gossip-consul-encrypt');
  assert.ok(f.length >= 1, JSON.stringify(r.findings.map((x) => x.ruleId)));
  const yaml = files['tf/cloud-init.yaml']!;
  const hover = ws.hoverAt(r, 'tf/cloud-init.yaml', yaml.indexOf(content) + 5);
  assert.ok(hover, 'a hover on the content');
  assert.match(f[0]!.message, /encrypt = •••• \(44 chars, sha256:[0-9a-f]{8}\)/);
  assert.match(hover.markdown, /•••• \(44 chars/);
  for (const k of [keyA, keyB]) {
    assert.ok(!JSON.stringify(r).includes(k), 'raw key leaked into the result');
    assert.ok(!hover.markdown.includes(k), 'raw key leaked into the hover');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hsr-filefn-'));
  for (const [f2, t] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f2)), { recursive: true });
    writeFileSync(path.join(dir, f2), t);
  }
  let out = '';
  await runCli(['check', dir, '--format', 'json', '--fail-on', 'never'], { stdout: (s) => (out += `${s}\n`), stderr: () => undefined, cwd: dir });
  const json = JSON.parse(out) as { findings: Array<{ ruleId: string }> };
  assert.ok(json.findings.some((x) => x.ruleId === 'gossip-consul-encrypt'));
  for (const k of [keyA, keyB]) assert.ok(!out.includes(k), 'raw key leaked into the CLI JSON');
});

test('engine: an edit of the file file() reads (template and inline heredoc), or its deletion, gives the analysis a fresh Workspace gives', () => {
  const files = cloudTree('${base64encode(file("${config_dir}/client.hcl"))}', 'b64');
  files['tf/inline.tf'] = [
    'resource "aws_instance" "other" {',
    '  user_data = <<-EOF',
    '    #cloud-config',
    '    write_files:',
    '      - path: /etc/nomad.d/other.hcl',
    '        encoding: b64',
    '        content: ${base64encode(file("${path.module}/files/other.hcl"))}',
    '  EOF',
    '}',
    '',
  ].join('\n');
  files['tf/files/other.hcl'] = CLIENT.replace('"us"', '"eu"');
  const ws = new Workspace('/tmp/hsr-filefn-engine');
  for (const [f, t] of Object.entries(files)) ws.setText(f, t);
  const summary = (r: ReturnType<Workspace['analyze']>) => ({
    findings: r.findings.map((f) => `${f.ruleId} ${f.span.file}:${f.span.start}-${f.span.end} ${f.message}`).sort(),
    roles: r.roles.map((role) => `${role.id} ${role.settings.map((s) => `${s.path}=${s.display}`).join(';')}`).sort(),
  });
  const fresh = () => {
    const other = new Workspace('/tmp/hsr-filefn-engine');
    for (const f of ws.files()) other.setText(f, ws.sourceText(f)!.text);
    return summary(other.analyze());
  };
  let before = summary(ws.analyze());
  let changed = 0;
  const edits: Array<[string, string | undefined]> = [
    ['tf/files/client.hcl', CLIENT.replace('"us"', '"eu"')],
    ['tf/files/other.hcl', CLIENT.replace('"us"', '"ap"')],
    ['tf/files/client.hcl', CLIENT],
    ['tf/files/other.hcl', undefined],
    ['tf/files/other.hcl', CLIENT],
  ];
  for (const [file, text] of edits) {
    if (text === undefined) ws.deleteFile(file);
    else ws.setText(file, text);
    const now = summary(ws.analyze());
    assert.deepEqual(now, fresh(), `after editing ${file}`);
    if (JSON.stringify(now) !== JSON.stringify(before)) changed++;
    before = now;
  }
  assert.ok(changed >= 4, `${changed} of ${edits.length} edits changed the results`);
});
