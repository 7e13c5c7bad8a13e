import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../../server/src/core/engine';
import { cloudInitDocs, cloudInitRuncmd } from '../../../server/src/core/model/cloudInit';
import { MappedText } from '../../../server/src/core/text/mappedText';

// cloud-init user data: agent configs written by `write_files`, from a templatefile()-rendered YAML or an inline
// `#cloud-config` heredoc, mapped back to the characters of the template / .tf file.

const MAIN = (clientRegion: string) =>
  [
    'variable "region" {',
    '  default = "eu"',
    '}',
    'resource "aws_instance" "server" {',
    '  user_data = <<-EOF',
    '    #cloud-config',
    '    write_files:',
    '      - path: /etc/nomad.d/server.hcl',
    '        permissions: "0644"',
    '        content: |',
    '          region   = "${var.region}"',
    '          data_dir = "/opt/nomad"',
    '          server {',
    '            enabled          = true',
    '            bootstrap_expect = 1',
    '          }',
    '    runcmd:',
    '      - systemctl start nomad',
    '  EOF',
    '}',
    'resource "aws_instance" "client" {',
    `  user_data = templatefile("\${path.module}/cloud-init.yaml", { region = "${clientRegion}" })`,
    '}',
    '',
  ].join('\n');

const CLOUD_INIT = [
  '#cloud-config',
  'write_files:',
  '- path: /etc/nomad.d/client.hcl',
  '  content: |',
  '    region   = "${region}"',
  '    data_dir = "/opt/nomad"',
  '    client {',
  '      enabled = true',
  '      servers = ["10.0.0.1"]',
  '    }',
  '- path: /etc/motd',
  '  content: hello',
  'runcmd:',
  '- systemctl start nomad',
  '',
].join('\n');

function analyze(clientRegion: string) {
  const ws = new Workspace('/t');
  ws.setText('tf/main.tf', MAIN(clientRegion));
  ws.setText('tf/cloud-init.yaml', CLOUD_INIT);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  return r;
}

test('cloud-init write_files: a rendered YAML template and an inline #cloud-config heredoc give the client and the server, mapped to their characters', () => {
  const r = analyze('us');
  assert.deepEqual(r.roles.map((x) => `${x.kind}/${x.product}`).sort(), ['linux-client/nomad', 'server/nomad']);
  const f = r.findings.filter((x) => x.ruleId === 'region-mismatch');
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.message)));
  assert.equal(f[0]!.span.file, 'tf/cloud-init.yaml');
  assert.equal(CLOUD_INIT.slice(f[0]!.span.start, f[0]!.span.start + 'region'.length), 'region');
  const main = MAIN('us');
  const server = r.roles.find((x) => x.kind === 'server')!.settings.find((s) => s.path === 'region')!;
  assert.equal(server.span.file, 'tf/main.tf');
  assert.equal(main.slice(server.span.start, server.span.start + 'region'.length), 'region');
  assert.equal(server.value, 'eu');
  // The same region on both sides is silent.
  assert.deepEqual(
    analyze('eu').findings.filter((x) => x.ruleId === 'region-mismatch'),
    [],
  );
});

test('cloud-init reader: only agent configs; a one-line quoted content; a document that is not cloud-config gives nothing', () => {
  const text = [
    '#cloud-config',
    'write_files:',
    '  - path: /etc/consul.d/gossip.json',
    '    content: \'{"encrypt": "x"}\'',
    '  - path: /etc/hosts',
    '    content: |',
    '      127.0.0.1 localhost',
    'packages:',
    '  - nomad',
    '',
  ].join('\n');
  const docs = cloudInitDocs(MappedText.identity('u.yaml', text), 'u.yaml', 'u', undefined);
  assert.deepEqual(
    docs.map((d) => [d.targetPath, d.text.text, d.format]),
    [['/etc/consul.d/gossip.json', '{"encrypt": "x"}', 'json']],
  );
  assert.equal(text.slice(docs[0]!.text.toHost(0, 1).start, docs[0]!.text.toHost(0, 1).start + 1), '{');
  assert.deepEqual(cloudInitDocs(MappedText.identity('u.yaml', text.replace('#cloud-config', '# not cloud')), 'u.yaml', 'u', undefined), []);
});

const CLIENT_HCL = 'region = "us"\nclient {\n  enabled = true\n}\n';
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

test('cloud-init write_files encoding: b64/base64, gz+b64/gzip+base64 and `!!binary` + gzip are decoded; plain or unknown encodings are the text as written; undecodable content gives no document', () => {
  const gz = b64(gzipSync(CLIENT_HCL));
  const entry = (name: string, encoding: string, ...content: string[]) => [
    `- path: /etc/nomad.d/${name}.hcl`,
    ...(encoding ? [`  encoding: ${encoding}`] : []),
    ...content,
  ];
  const text = [
    '#cloud-config',
    'write_files:',
    ...entry('b64', 'b64', `  content: ${b64(CLIENT_HCL)}`),
    ...entry('base64', '"base64"', '  content: >', `    ${b64(CLIENT_HCL).slice(0, 12)}`, `    ${b64(CLIENT_HCL).slice(12)}`),
    ...entry('gzb64', 'gz+b64', '  content: |', `    ${gz.slice(0, 16)}`, `    ${gz.slice(16)}`),
    ...entry('gzip-base64', 'gzip+base64', `  content: ${gz}`),
    ...entry('binary', 'gzip', '  content: !!binary |', `    ${gz}`),
    ...entry('plain', 'text/plain', '  content: x = 1'),
    ...entry('unknown', 'base32', '  content: y = 2'),
    // Undecodable: not base64 (a Terraform call as written: once rendered, fileFunctions.test.ts), a wrong padding, base64 that is not gzip, gzip of a
    // text, bytes that are not UTF-8, a truncated gzip stream.
    ...entry('call', 'b64', '  content: ${base64encode(file("client.hcl"))}'),
    ...entry('padding', 'b64', `  content: ${b64(CLIENT_HCL).replace(/=+$/, '')}x`),
    ...entry('notgzip', 'gz+b64', `  content: ${b64(CLIENT_HCL)}`),
    ...entry('textgzip', 'gzip', '  content: |', '    region = "us"'),
    ...entry('binarybytes', 'b64', `  content: ${b64(Buffer.from([0xff, 0xfe, 0x00, 0xc3]))}`),
    ...entry('truncated', 'gz+b64', `  content: ${b64(gzipSync(CLIENT_HCL).subarray(0, 20))}`),
    '',
  ].join('\n');
  const docs = cloudInitDocs(MappedText.identity('u.yaml', text), 'u.yaml', 'u', undefined);
  assert.deepEqual(
    docs.map((d) => [d.targetPath!.replace(/^\/etc\/nomad\.d\/|\.hcl$/g, ''), d.text.text]),
    [
      ['b64', CLIENT_HCL],
      ['base64', CLIENT_HCL],
      ['gzb64', CLIENT_HCL],
      ['gzip-base64', CLIENT_HCL],
      ['binary', CLIENT_HCL],
      ['plain', 'x = 1'],
      ['unknown', 'y = 2'],
    ],
  );
  assert.equal(docs[2]!.via, 'cloud-init write_files (content decoded: base64, gzip)');
  // A decoded document stands as a whole for its encoded text: any of its ranges maps to the whole content.
  const gzSpan = docs[2]!.text.toHost(CLIENT_HCL.indexOf('us'), CLIENT_HCL.indexOf('us') + 2);
  assert.equal(text.slice(gzSpan.start, gzSpan.end), `${gz.slice(0, 16)}\n    ${gz.slice(16)}`);
  assert.equal(docs[2]!.text.isExactAt(0), false);
});

// A server (inline user data, region "eu") and a Linux client whose cloud-init template writes its config with a
// placeholder region, then runs `runcmd` (the items given).
const RUNCMD_MAIN = [
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
  'resource "aws_instance" "client" {',
  '  user_data = templatefile("${path.module}/cloud-init.yaml", { region = "eu" })',
  '}',
  '',
].join('\n');

const runcmdYaml = (...runcmd: string[]) =>
  [
    '#cloud-config',
    'write_files:',
    '- path: /etc/nomad.d/client.hcl',
    '  content: |',
    '    region = "REGION_PLACEHOLDER"',
    '    client {',
    '      enabled = true',
    '      servers = ["10.0.0.1"]',
    '    }',
    'runcmd:',
    ...runcmd,
    '- systemctl start nomad',
    '',
  ].join('\n');

/** The client's region as the role sees it, the region-mismatch findings, and the region value's span in the YAML. */
function runcmdRegion(yaml: string) {
  const ws = new Workspace('/t');
  ws.setText('tf/main.tf', RUNCMD_MAIN);
  ws.setText('tf/cloud-init.yaml', yaml);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  const client = r.roles.find((x) => x.kind === 'linux-client')!.settings.find((s) => s.path === 'region')!;
  return { value: client.value, mismatches: r.findings.filter((f) => f.ruleId === 'region-mismatch').length };
}

test('cloud-init runcmd runs after write_files: its sed -i fills the placeholders of the written config', () => {
  assert.deepEqual(runcmdRegion(runcmdYaml('- sed -i "s/REGION_PLACEHOLDER/${region}/" /etc/nomad.d/client.hcl')), { value: 'eu', mismatches: 0 });
  assert.deepEqual(runcmdRegion(runcmdYaml('- echo no sed')), { value: 'REGION_PLACEHOLDER', mismatches: 1 });
});

test('cloud-init runcmd argv lists (flow `[ sed, … ]` and block `- - sed`) run like their command line: their sed fills the placeholder', () => {
  const flow = runcmdYaml('- [ sed, -i, "s/REGION_PLACEHOLDER/${region}/g", /etc/nomad.d/client.hcl ]');
  assert.deepEqual(runcmdRegion(flow), { value: 'eu', mismatches: 0 });
  const block = runcmdYaml('- - sed', '  - -i', "  - 's/REGION_PLACEHOLDER/${region}/'  # the region", '  - /etc/nomad.d/client.hcl');
  assert.deepEqual(runcmdRegion(block), { value: 'eu', mismatches: 0 });
  // A bare `-` with the list below it.
  const below = runcmdYaml('-', '  - sed', '  - --in-place', '  - s/REGION_PLACEHOLDER/${region}/', '  - /etc/nomad.d/client.hcl');
  assert.deepEqual(runcmdRegion(below), { value: 'eu', mismatches: 0 });
  // The elements are words, not a command line: `echo` of a sed command line runs no sed.
  const echoed = runcmdYaml('- [ echo, "sed -i s/REGION_PLACEHOLDER/${region}/ /etc/nomad.d/client.hcl" ]');
  assert.deepEqual(runcmdRegion(echoed), { value: 'REGION_PLACEHOLDER', mismatches: 1 });
});

test('cloud-init runcmd `[ sh, -c, "…" ]` lists run their command string (flow, and block with a block-scalar script)', () => {
  const flow = runcmdYaml(`- [ sh, -c, "sed -i 's/REGION_PLACEHOLDER/\${region}/' /etc/nomad.d/client.hcl && systemctl restart nomad" ]`);
  assert.deepEqual(runcmdRegion(flow), { value: 'eu', mismatches: 0 });
  const block = runcmdYaml('- - /bin/bash', '  - -ec', '  - |', '    echo configuring', '    sed -i "s/REGION_PLACEHOLDER/${region}/" /etc/nomad.d/client.hcl');
  assert.deepEqual(runcmdRegion(block), { value: 'eu', mismatches: 0 });
});

test('cloud-init runcmd reader: argv elements quoted as cloud-init does (only where needed), mapped to their characters; lists holding collections or folded elements skipped', () => {
  const text = [
    '#cloud-config',
    'runcmd:',
    "  - [ echo, 'it''s', \"$HOME\", '', a b ]",
    '  - [ sed, -i, "s/IP_ADDRESS/10.0.0.1/g",',
    '      /etc/nomad.d/client.hcl ]',
    '  - [ sh, -c, "echo $1", arg ]',
    '  - [ ls, [ nested ] ]',
    '  - - printf',
    '    - "%s\\n"',
    '  - - echo', // an element folded onto the next line is not read
    '    - two',
    '      lines',
    '  - systemctl start nomad',
    'final_message: done',
    '',
  ].join('\n');
  const script = cloudInitRuncmd(MappedText.identity('u.yaml', text))!;
  assert.equal(
    script.text,
    [
      "echo 'it'\\''s' '$HOME' '' 'a b'",
      'sed -i s/IP_ADDRESS/10.0.0.1/g /etc/nomad.d/client.hcl',
      "sh -c 'echo $1' arg", // an argument after the command string sets $0: the list stays an argv
      "printf '%s\n'",
      'systemctl start nomad',
      '',
    ].join('\n'),
  );
  const at = (s: string) => {
    const i = script.text.indexOf(s);
    const h = script.toHost(i, i + s.length);
    return text.slice(h.start, h.end);
  };
  assert.equal(at('10.0.0.1'), '10.0.0.1');
  assert.equal(at('/etc/nomad.d/client.hcl'), '/etc/nomad.d/client.hcl');
  assert.equal(at('start nomad'), 'start nomad');
});

/** The span of `needle`'s value in `text` (the encoded content of a write_files entry). */
function contentSpan(text: string, needle: string): { start: number; end: number } {
  const start = text.indexOf(needle);
  assert.ok(start >= 0);
  return { start, end: start + needle.length };
}

test('cloud-init write_files b64 and gz+b64: the decoded client config is a role; its drift is reported inside the encoded content', () => {
  const client = 'region   = "us"\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n  servers = ["10.0.0.1"]\n}\n';
  for (const [encoding, encoded] of [
    ['b64', b64(client)],
    ['gz+b64', b64(gzipSync(client))],
  ] as const) {
    const yaml = ['#cloud-config', 'write_files:', '- path: /etc/nomad.d/client.hcl', `  encoding: ${encoding}`, `  content: ${encoded}`, ''].join('\n');
    const ws = new Workspace('/t');
    ws.setText('tf/main.tf', MAIN('us'));
    ws.setText('tf/cloud-init.yaml', yaml);
    const r = ws.analyze();
    assert.deepEqual(ws.checkFailures, []);
    assert.deepEqual(r.roles.map((x) => `${x.kind}/${x.product}`).sort(), ['linux-client/nomad', 'server/nomad'], encoding);
    const f = r.findings.filter((x) => x.ruleId === 'region-mismatch');
    assert.equal(f.length, 1, encoding);
    assert.deepEqual({ file: f[0]!.span.file, start: f[0]!.span.start, end: f[0]!.span.end }, { file: 'tf/cloud-init.yaml', ...contentSpan(yaml, encoded) });
    assert.equal(r.roles.find((x) => x.kind === 'linux-client')!.settings.find((s) => s.path === 'region')!.value, 'us');
  }
});

test('cloud-init write_files b64: a gossip key in decoded content is masked in findings and hovers, never shown in full', () => {
  const keyA = 'LYy8NIV5hOTneYqbuc74wz2YSP4/V/p2K0G4jjpiafM=';
  const keyB = 'V1bIesApGczm9QvdU4Q/ODyohckyj0VXT87ak9FtjYo=';
  const consul = (key: string) => `encrypt    = "${key}"\ndatacenter = "dc1"\ndata_dir   = "/opt/consul"\nretry_join = ["10.0.0.1"]\n`;
  const encoded = b64(consul(keyA));
  const yaml = [
    '#cloud-config',
    'write_files:',
    '- path: /etc/consul.d/consul.hcl',
    '  encoding: b64',
    `  content: ${encoded}`,
    "- path: 'C:\\HashiCorp\\Consul\\config\\consul.hcl'",
    '  content: |',
    ...consul(keyB)
      .trimEnd()
      .split('\n')
      .map((l) => `    ${l}`),
    '',
  ].join('\n');
  const ws = new Workspace('/t');
  ws.setText('tf/main.tf', 'resource "aws_instance" "client" {\n  user_data = templatefile("${path.module}/cloud-init.yaml", {})\n}\n');
  ws.setText('tf/cloud-init.yaml', yaml);
  const r = ws.analyze();
  assert.deepEqual(ws.checkFailures, []);
  const f = r.findings.filter((x) => x.ruleId === 'gossip-consul-encrypt');
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.ruleId)));
  assert.match(f[0]!.message, /Linux client encrypt = •••• \(44 chars, sha256:[0-9a-f]{8}\)/);
  assert.ok(f[0]!.related.some((x) => x.span.file === 'tf/cloud-init.yaml' && x.span.start === yaml.indexOf(encoded)));
  const hover = ws.hoverAt(r, 'tf/cloud-init.yaml', yaml.indexOf(encoded) + 10)!;
  assert.match(hover.markdown, /\*\*encrypt\*\*/);
  assert.match(hover.markdown, /•••• \(44 chars/);
  for (const k of [keyA, keyB]) {
    assert.ok(!JSON.stringify(r).includes(k), 'raw key leaked into the result');
    assert.ok(!hover.markdown.includes(k), 'raw key leaked into the hover');
  }
});
