import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFiles, applyFix, exampleFindings, ofRule } from './helpers';
import { Workspace } from '../../../../server/src/core/engine';

const FILE = 'shared/packer/scripts/client.ps1';
const ps = (op: string) =>
  `param([string] $NodeClass = "windows")\n$NomadConfigFile = "C:\\HashiCorp\\Nomad\\config\\client.hcl"\n$tpl = @'\ndata_dir = "C:/HashiCorp/Nomad/data"\nclient {\n  enabled    = true\n  node_class = "NODE_CLASS"\n}\n'@\n$cfg = $tpl \`\n    ${op} 'NODE_CLASS', $NodeClass\n[IO.File]::WriteAllText($NomadConfigFile, $cfg, [Text.UTF8Encoding]::new($false))\n`;

test('ps-replace: case-insensitive -replace also renames the key node_class', () => {
  const text = ps('-replace');
  const files: Record<string, string> = { [FILE]: text };
  const f = ofRule(analyzeFiles(files).findings, 'ps-replace');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.category, 'ps-replace');
  assert.equal(f[0]!.span.start, text.indexOf("-replace 'NODE_CLASS'"));
  assert.equal(f[0]!.span.end - f[0]!.span.start, '-replace'.length);
  assert.equal(f[0]!.related[0]!.span.start, text.indexOf('node_class ='));
  assert.match(f[0]!.message, /node_class/);
  const fixed = applyFix(files, f[0]!.fixes![0]!);
  assert.match(fixed[FILE]!, /-creplace 'NODE_CLASS'/);
  assert.equal(ofRule(analyzeFiles(fixed).findings, 'ps-replace').length, 0);
});

test('ps-replace: -creplace is silent', () => {
  assert.equal(ofRule(analyzeFiles({ [FILE]: ps('-creplace') }).findings, 'ps-replace').length, 0);
});

test('ps-replace: examples', async () => {
  const f = ofRule(await exampleFindings('windows-only'), 'ps-replace');
  assert.equal(f.length, 1);
  assert.equal(ofRule(await exampleFindings('mixed-os'), 'ps-replace').length, 0);
});

// Round 9B, fixture t7: one case-insensitive -replace renames the key `datacenter` to `dc1` and `retry_join` to the
// words of its replacement. The renamed text's own findings (unknown-config-key per word, hcl-syntax right after it)
// are the same mistake: folded into the ps-replace finding that names the cause, which keeps the agent's symptom.
const T7: Record<string, string> = {
  'config/consul-client-windows.hcl':
    'datacenter = "DATACENTER"\ndata_dir = "C:/consul/data"\nencrypt = "GOSSIP_KEY"\nretry_join = ["RETRY_JOIN"]\nnode_meta {\n  node_class = "NODE_CLASS"\n}\n',
  'scripts/client.ps1':
    "param(\n  [string]$Datacenter = \"dc1\"\n)\n$tpl = Get-Content C:\\ops\\config\\consul-client-windows.hcl -Raw\n$tpl = $tpl -replace 'DATACENTER', $Datacenter\n$tpl = $tpl -replace 'RETRY_JOIN', 'provider=aws tag_key=role tag_value=consul-server'\n$tpl = $tpl -replace 'NODE_CLASS', 'windows'\n[IO.File]::WriteAllText('C:\\consul\\config\\consul.hcl', $tpl, [Text.UTF8Encoding]::new($false))\n",
};

test('ps-replace: findings on the text a mis-rename produced are folded into it (t7)', async () => {
  const ws = new Workspace('/tmp/hsr-ps-replace-t7');
  for (const [f, t] of Object.entries(T7)) ws.setText(f, t);
  for (const r of [ws.analyze(), await ws.analyzeWithOfficialParser()]) {
    const tpl = T7['config/consul-client-windows.hcl']!;
    const onRenamed = r.findings.filter(
      (f) =>
        f.ruleId !== 'ps-replace' &&
        f.span.file === 'config/consul-client-windows.hcl' &&
        (f.span.start < tpl.indexOf('data_dir') || tpl.slice(0, f.span.start).split('\n').length === 4),
    );
    assert.deepEqual(
      onRenamed.map((f) => `${f.ruleId}: ${f.message}`),
      [],
    );
    const pr = ofRule(r.findings, 'ps-replace');
    assert.equal(pr.length, 3);
    const dc = pr.find((f) => f.message.includes("'DATACENTER'"))!;
    assert.match(dc.message, /Consul refuses to start: `invalid config key dc1`/);
    assert.ok(dc.related.some((x) => x.span.start === 0 && /unknown-config-key/.test(x.message)));
    const rj = pr.find((f) => f.message.includes("'RETRY_JOIN'"))!;
    assert.match(rj.message, /`invalid config key provider`, `invalid config key tag_key`, `invalid config key tag_value`/);
    // The meta key renamed inside node_meta is accepted by Consul: no rejection is claimed.
    const nc = pr.find((f) => f.message.includes("'NODE_CLASS'"))!;
    assert.doesNotMatch(nc.message, /refuses|rejects|unexpected keys/);
  }
  const official = await ws.analyzeWithOfficialParser();
  const rj = ofRule(official.findings, 'ps-replace').find((f) => f.message.includes("'RETRY_JOIN'"))!;
  assert.match(rj.message, /not valid HCL/);
  assert.ok(rj.related.some((x) => /hcl-syntax/.test(x.message)));
});

test('ps-replace: with ps-replace suppressed, the renamed text keeps its own findings', () => {
  const files = {
    ...T7,
    'scripts/client.ps1': T7['scripts/client.ps1']!.replace(
      "$tpl = $tpl -replace 'DATACENTER'",
      "# hashistack-review-ignore ps-replace\n$tpl = $tpl -replace 'DATACENTER'",
    ),
  };
  const f = analyzeFiles(files).findings;
  assert.ok(ofRule(f, 'unknown-config-key').some((x) => x.span.start === 0 && /dc1/.test(x.message)));
});

test('ps-replace: names what the agent says about the renamed key even with unknown-config-key turned off', () => {
  const ws = new Workspace('/tmp/hsr-ps-replace-t7-off', { ruleSeverity: { 'unknown-config-key': 'off' } });
  for (const [f, t] of Object.entries(T7)) ws.setText(f, t);
  const r = ws.analyze();
  assert.equal(ofRule(r.findings, 'unknown-config-key').length, 0);
  const dc = ofRule(r.findings, 'ps-replace').find((f) => f.message.includes("'DATACENTER'"))!;
  assert.match(dc.message, /The agent then rejects the renamed key: Consul refuses to start: `invalid config key dc1`\. Use -creplace/);
});
